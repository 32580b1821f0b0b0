import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
// The same options and license notice `node scripts/build.mjs action` writes the bundle with.
// @ts-expect-error: the build script is plain JavaScript without type declarations.
import { buildOptions } from "../../../scripts/build.mjs";
// @ts-expect-error: the build script is plain JavaScript without type declarations.
import { bundledPackages, licensesText } from "../../../scripts/bundle-licenses.mjs";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const committed = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const committedLicenses = fileURLToPath(new URL("../dist/licenses.txt", import.meta.url));
const STALE = "dist/ is stale: rebuild it with `node scripts/build.mjs action` and commit it";

interface BundledPackage {
  readonly name: string;
  readonly directory: string;
}

let fresh: string;
let metafile: esbuild.Metafile;
let packages: BundledPackage[];

beforeAll(async () => {
  const [options] = (await buildOptions("action")) as esbuild.BuildOptions[];
  const result = await esbuild.build({ ...options, write: false });
  const output = result.outputFiles?.find((file) => file.path.endsWith("index.js"));
  if (!output || !result.metafile) throw new Error("esbuild produced no bundle or no metafile for the action");
  fresh = output.text;
  metafile = result.metafile;
  packages = bundledPackages(metafile);
});

describe("committed action bundle", () => {
  it("is exactly what the source builds to (run `node scripts/build.mjs action` and commit dist/)", async () => {
    const onDisk = await readFile(committed, "utf8");
    // Comparing lengths first keeps a 3 MB diff out of the failure message.
    expect(onDisk.length, STALE).toBe(fresh.length);
    expect(onDisk === fresh, STALE).toBe(true);
  });

  it("holds one copy of each library: one undici, one @actions/http-client", () => {
    const copies = new Map<string, BundledPackage[]>();
    for (const entry of packages) copies.set(entry.name, [...(copies.get(entry.name) ?? []), entry]);
    const duplicated = [...copies].filter(([, entries]) => entries.length > 1).map(([name, entries]) => `${name}: ${entries.map((entry) => entry.directory).join(", ")}`);
    expect(duplicated, "a package is bundled twice; align its versions with `overrides` in the root package.json").toEqual([]);
    expect(copies.get("undici")?.length).toBe(1);
    expect(copies.get("@actions/http-client")?.length).toBe(1);
  });

  it("ships dist/licenses.txt, built from the bundled packages, naming each with its version and license text", async () => {
    const onDisk = await readFile(committedLicenses, "utf8");
    expect(onDisk, STALE).toBe(await licensesText(metafile, root));
    for (const { name, directory } of packages) {
      const manifest = JSON.parse(await readFile(`${root}${directory}/package.json`, "utf8")) as { version: string; license: string };
      expect(onDisk, name).toContain(`\n${name}@${manifest.version}\n${manifest.license}\n`);
    }
    expect(packages.map((entry) => entry.name)).toEqual(expect.arrayContaining(["undici", "@actions/core", "@actions/github", "zod", "yaml", "libsodium-wrappers"]));
    expect(onDisk).toContain("Permission is hereby granted");
    expect(onDisk).toContain("Apache License");
  });
});
