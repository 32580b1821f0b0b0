import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { recoverRootToken } from "../domain/tokens/recover-root-token";
import { openKeyward } from "../keyward";
import { createLogger } from "../logger";
import { PEPPER_FILE } from "../storage/pepper-file";
import { resolveServerConfig, STORAGE_OPTIONS, type ServerFlags } from "./server-config";

/**
 * `keyward token recover`: mints one new root token on the server machine (SPEC §10), printed
 * alone on stdout. It needs the database and the pepper: a new pepper would mint a token that
 * can never authenticate, so a data directory without its pepper file is refused.
 */
export function registerTokenRecoverCommand(program: Command): void {
  const token = program.command("token").description("management token recovery, run on the server machine");
  const command = token
    .command("recover")
    .description("mint one new root (admin, unbound) token when every admin token is lost; revokes nothing, prints it once on stdout");
  for (const [flags, description] of STORAGE_OPTIONS) command.option(flags, description);
  command.action(async (flags: ServerFlags) => {
    const config = resolveServerConfig(flags, process.env);
    if (!config.pepper && !existsSync(join(config.dataDir, PEPPER_FILE))) {
      throw new Error(`no pepper: ${join(config.dataDir, PEPPER_FILE)} does not exist and KEYWARD_PEPPER is not set; recovery needs the pepper the server uses`);
    }
    const keyward = await openKeyward({ ...config, logger: createLogger({ level: "warn" }) });
    try {
      const secret = await recoverRootToken(keyward.services, "token-recover");
      process.stdout.write(`${secret}\n`);
      process.stderr.write("keyward: minted a new root token (audited as token.recover). It is shown only this once; store it now.\n");
    } finally {
      await keyward.close();
    }
  });
}
