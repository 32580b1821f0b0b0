import { Command } from "commander";
import { registerClientCommands } from "./cli/client-commands";

const program = new Command("keyward").description("Keyward: API keys shown once, stored as hashes, scoped, rotated, revoked and audited");
registerClientCommands(program);
await program.parseAsync(process.argv);
