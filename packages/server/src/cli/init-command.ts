import type { Command } from "commander";
import { AlreadyInitializedError, initialize } from "../domain/initialize";
import { openKeyward } from "../keyward";
import { createLogger } from "../logger";
import { resolveServerConfig, STORAGE_OPTIONS, type ServerFlags } from "./server-config";

/** `keyward init`: creates the schema and the root token, printed alone on stdout; refuses to run twice. */
export function registerInitCommand(program: Command): void {
  const command = program.command("init").description("create the database schema and the root management token (printed once, on stdout)");
  for (const [flags, description] of STORAGE_OPTIONS) command.option(flags, description);
  command.action(async (flags: ServerFlags) => {
    const config = resolveServerConfig(flags, process.env);
    const keyward = await openKeyward({ ...config, logger: createLogger({ level: "warn" }) });
    try {
      const rootToken = await initialize(keyward.services, "init");
      process.stdout.write(`${rootToken}\n`);
      process.stderr.write("keyward: initialised. The root token above is shown only this once; store it now.\n");
    } catch (error) {
      if (!(error instanceof AlreadyInitializedError)) throw error;
      process.stderr.write(`keyward: ${error.message}\n`);
      process.exitCode = 1;
    } finally {
      await keyward.close();
    }
  });
}
