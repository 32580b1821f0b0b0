import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { describe, expect, it } from "vitest";
// The same options `node scripts/build.mjs action` writes the bundle with.
// @ts-expect-error: the build script is plain JavaScript without type declarations.
import { buildOptions } from "../../../scripts/build.mjs";

const committed = fileURLToPath(new URL("../dist/index.js", import.meta.url));

describe("committed action bundle", () => {
  it("is exactly what the source builds to (run `node scripts/build.mjs action` and commit dist/)", async () => {
    const [options] = (await buildOptions("action")) as esbuild.BuildOptions[];
    const result = await esbuild.build({ ...options, write: false });
    const fresh = result.outputFiles?.[0]?.text;
    const onDisk = await readFile(committed, "utf8");
    expect(fresh, "esbuild produced no output").toBeDefined();
    // Comparing lengths first keeps a 4 MB diff out of the failure message.
    expect(onDisk.length, "dist/index.js is stale: rebuild it with `node scripts/build.mjs action` and commit it").toBe(fresh!.length);
    expect(onDisk === fresh, "dist/index.js is stale: rebuild it with `node scripts/build.mjs action` and commit it").toBe(true);
  });
});
