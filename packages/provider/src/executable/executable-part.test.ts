import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as zlib from "node:zlib";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { codeCacheDirectory, runPart, unpack, type ExecutablePart } from "./executable-part";

/** A part as scripts/build.mjs packs it: the source inside the one comment of a function's body. */
function packedPart(source: string, encoding: ExecutablePart["encoding"], id = "test-id"): ExecutablePart {
  const body = encoding === "text" ? source.replaceAll("*/", "*//*!") : deflateRawSync(source).toString("base64");
  return { name: "part", id, encoding, packed: new Function(`/*!${body}*/`) as () => void };
}

const SOURCE = 'const pattern = /a*/; exports.answer = require("answer") + (pattern.test("aa") ? 1 : 0); module.exports.text = "*/ kept";\n';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "keyward-executable-part-"));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe("unpack", () => {
  it("gives back the source, as text with its comment ends and deflated", () => {
    const inflated: number[] = [];
    const inflate = (bytes: Buffer) => (inflated.push(bytes.length), inflateRawSync(bytes));
    expect(unpack(packedPart(SOURCE, "text"), inflate)).toBe(SOURCE);
    expect(inflated).toEqual([]);
    expect(unpack(packedPart(SOURCE, "deflate"), inflate)).toBe(SOURCE);
    expect(inflated).toHaveLength(1);
  });
});

describe("runPart", () => {
  it("runs the part as a CommonJS module with the require it is given", () => {
    const asked: string[] = [];
    const exports = runPart(packedPart(SOURCE, "text"), (id) => (asked.push(id), id === "answer" ? 41 : undefined), undefined, () => {
      throw new Error("no cache directory: nothing to write");
    });
    expect(exports).toEqual({ answer: 42, text: "*/ kept" });
    // A text part (the launch part) is run without node:zlib.
    expect(asked).toEqual(["answer"]);
  });

  it("unpacks a deflated part with the node:zlib its require gives", () => {
    const asked: string[] = [];
    expect(runPart(packedPart(SOURCE, "deflate"), (id) => (asked.push(id), id === "node:zlib" ? zlib : 1), undefined)).toEqual({ answer: 2, text: "*/ kept" });
    expect(asked).toEqual(["node:zlib", "answer"]);
  });

  it("writes a code cache at exit the first time, and compiles from it the next", () => {
    const part = packedPart(SOURCE, "deflate");
    const load = (id: string) => (id === "node:zlib" ? zlib : 1);
    const atExit: Array<() => void> = [];
    expect(runPart(part, load, work, (listener) => atExit.push(listener))).toEqual({ answer: 2, text: "*/ kept" });
    expect(atExit).toHaveLength(1);
    atExit[0]?.();
    const files = readdirSync(work);
    expect(files).toEqual([`part-test-id-${process.version}-${process.arch}.v8`]);
    expect(statSync(join(work, files[0] ?? "")).mode & 0o777).toBe(0o600);
    const again: Array<() => void> = [];
    expect(runPart(part, load, work, (listener) => again.push(listener))).toEqual({ answer: 2, text: "*/ kept" });
    expect(again).toHaveLength(0);
    // A fresh process (this one keeps compiled scripts in memory) accepts the cache for the source.
    const check = `const { Script } = require("node:vm"); const s = new Script(process.env.SOURCE, { filename: "terraform-provider-keyward/part.js", cachedData: require("node:fs").readFileSync(process.env.CACHE) }); process.stdout.write(String(s.cachedDataRejected));`;
    const wrapped = `(function (exports, require, module, __filename, __dirname) {${SOURCE}\n})`;
    const accepted = spawnSync(process.execPath, ["-e", check], { env: { SOURCE: wrapped, CACHE: join(work, files[0] ?? "") }, encoding: "utf8" });
    expect(accepted.stdout).toBe("false");
  });

  it("replaces a cache V8 rejects", () => {
    const part = packedPart(`${SOURCE}// another source: not compiled before in this process\n`, "text");
    writeFileSync(join(work, `part-test-id-${process.version}-${process.arch}.v8`), "not a code cache");
    const atExit: Array<() => void> = [];
    expect(runPart(part, () => 1, work, (listener) => atExit.push(listener))).toEqual({ answer: 2, text: "*/ kept" });
    expect(atExit).toHaveLength(1);
  });

  it("removes the part's caches of earlier builds when it writes its own, and leaves other parts' caches", () => {
    const stale = `part-old-build-${process.version}-${process.arch}.v8`;
    const other = `launch-other-${process.version}-${process.arch}.v8`;
    writeFileSync(join(work, stale), "an earlier build's cache");
    writeFileSync(join(work, other), "another part's cache");
    const atExit: Array<() => void> = [];
    runPart(packedPart(`${SOURCE}// a third source\n`, "text", "new-build"), () => 1, work, (listener) => atExit.push(listener));
    atExit[0]?.();
    expect(readdirSync(work).sort()).toEqual([other, `part-new-build-${process.version}-${process.arch}.v8`].sort());
  });
});

describe("codeCacheDirectory", () => {
  it("is off when asked, and otherwise a directory only this user may write to", () => {
    expect(codeCacheDirectory({ KEYWARD_PROVIDER_CODE_CACHE: "off" })).toBeUndefined();
    const chosen = join(work, "cache");
    expect(codeCacheDirectory({ KEYWARD_PROVIDER_CODE_CACHE: chosen })).toBe(chosen);
    expect(statSync(chosen).mode & 0o777).toBe(0o700);
    chmodSync(chosen, 0o777);
    expect(codeCacheDirectory({ KEYWARD_PROVIDER_CODE_CACHE: chosen })).toBeUndefined();
    const file = join(work, "a-file");
    writeFileSync(file, "");
    expect(codeCacheDirectory({ KEYWARD_PROVIDER_CODE_CACHE: file })).toBeUndefined();
    expect(existsSync(join(work, "cache"))).toBe(true);
  });
});
