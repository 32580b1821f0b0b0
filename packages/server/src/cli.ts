// The `keyward` command. Each command lives in src/cli/ and is listed in cli/command-catalog.ts,
// which loads a command's module only when it runs.
import { Command } from "commander";
import { registerCatalog } from "./cli/command-catalog";
import { VERSION } from "./version";

const program = new Command("keyward")
  .description("Keyward: API keys shown once, stored as hashes, scoped, rotated, revoked and audited")
  .version(VERSION);

// The client commands report their own failures; this catches the server commands' (a locked
// data directory, a bad flag value) with one line and no stack trace.
registerCatalog(program, process.argv.slice(2))
  .then(() => program.parseAsync(process.argv))
  .catch((error: unknown) => {
    process.stderr.write(`keyward: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
