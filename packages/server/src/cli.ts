// The `keyward` command. Each command lives in src/cli/ and registers itself here.
import { Command } from "commander";
import { registerInitCommand } from "./cli/init-command";
import { registerPurgeCommand } from "./cli/purge-command";
import { registerServeCommand } from "./cli/serve-command";
import { VERSION } from "./version";

const program = new Command("keyward").description("API keys: shown once, stored as hashes, scoped, rotated, revoked and audited").version(VERSION);

registerInitCommand(program);
registerServeCommand(program);
registerPurgeCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`keyward: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
