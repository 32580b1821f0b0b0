#!/usr/bin/env node
// The `keyward` command. The CLI is compiled by `npm run build`; say so rather than crash.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write("keyward: the CLI is not built yet. Run `npm run build` at the repository root first.\n");
  process.exit(1);
}
await import(cli);
