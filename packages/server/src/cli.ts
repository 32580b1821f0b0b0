// The `keyward` command. Each command lives in src/cli/ and registers itself here.
import { Command } from "commander";
import { registerClientCommands } from "./cli/client-commands";
import { registerInitCommand } from "./cli/init-command";
import { registerProviderCommand } from "./cli/provider-command";
import { registerPurgeCommand } from "./cli/purge-command";
import { registerServeCommand } from "./cli/serve-command";
import { registerTokenRecoverCommand } from "./cli/token-recover-command";
import { VERSION } from "./version";

const program = new Command("keyward")
  .description("Keyward: API keys shown once, stored as hashes, scoped, rotated, revoked and audited")
  .version(VERSION);

registerInitCommand(program);
registerServeCommand(program);
registerPurgeCommand(program);
registerTokenRecoverCommand(program);
registerClientCommands(program);
registerProviderCommand(program);

// The client commands report their own failures; this catches the server commands' (a locked
// data directory, a bad flag value) with one line and no stack trace.
program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`keyward: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
