import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

// SPEC §6: CDKTF is archived and CDK Terrain (`cdktn`) is its maintained fork, so the core library is
// imported in one module only (src/constructs/cdktf.ts), generated bindings included.
const srcDir = fileURLToPath(new URL("../src", import.meta.url));
const importsCoreLibrary = /\bfrom\s+["'](cdktf|cdktn)(\/[^"']*)?["']|\brequire\(\s*["'](cdktf|cdktn)["']\s*\)|\bimport\(\s*["'](cdktf|cdktn)["']\s*\)/;

test("only src/constructs/cdktf.ts imports cdktf; every other module, generated or not, goes through it", async () => {
  const files = (await readdir(srcDir, { recursive: true })).filter((file) => file.endsWith(".ts"));
  const importers = [];
  for (const file of files) {
    if (importsCoreLibrary.test(await readFile(join(srcDir, file), "utf8"))) importers.push(relative(srcDir, join(srcDir, file)));
  }
  expect(importers).toEqual(["constructs/cdktf.ts"]);
  expect(files.filter((file) => file.startsWith("gen/")).length).toBeGreaterThan(0);
});
