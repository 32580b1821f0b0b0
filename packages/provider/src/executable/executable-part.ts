import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { Script } from "node:vm";

/**
 * One part of the provider executable (scripts/build.mjs): a CommonJS bundle kept in the file inside
 * a comment, which V8 skims instead of pre-parsing every function of it, and compiled through a V8 code cache kept between launches (issue 14: Terraform starts the provider
 * three times per plan; Node 20 has no `module.enableCompileCache()`).
 */
export interface ExecutablePart {
  /** `launch` or `provider`: names the compiled file in stack traces and the cache file. */
  readonly name: string;
  /**
   * The sha-256 of the part's source, from the build. It names the cache file: V8 checks a cache
   * only against the length of the source, so a cache must never be offered for other source.
   */
  readonly id: string;
  /** `text`: the comment holds the source, each `*\/` written `*\/\/*!`; `deflate`: deflated, in base64. */
  readonly encoding: "text" | "deflate";
  /** A function whose body is one comment (`/*!…*\/`) holding the source. */
  readonly packed: () => void;
}

/** Where a launch keeps its code caches, or undefined for none. */
export type CodeCacheDirectory = string | undefined;

/**
 * `KEYWARD_PROVIDER_CODE_CACHE`: a directory, or `off`; by default a directory of this user's
 * own in the temporary directory. A directory that another user owns or may write to is not used:
 * a code cache is code.
 */
export function codeCacheDirectory(environment: NodeJS.ProcessEnv = process.env): CodeCacheDirectory {
  const chosen = environment.KEYWARD_PROVIDER_CODE_CACHE;
  if (chosen === "off") return undefined;
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  const directory = chosen || join(tmpdir(), `keyward-provider-code-cache${uid === undefined ? "" : `-${uid}`}`);
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const found = lstatSync(directory);
    if (!found.isDirectory()) return undefined;
    if (uid !== undefined && (found.uid !== uid || (found.mode & 0o022) !== 0)) return undefined;
    return directory;
  } catch {
    return undefined;
  }
}

/** Inflates a `deflate` part: `node:zlib`'s `inflateRawSync`. */
export type Inflate = (deflated: Buffer) => Buffer;

/**
 * `node:zlib`, asked of the part's `require` only for a deflated part: loading it costs a launch
 * 1–2 ms, and the launch part, which every launch runs, is text.
 */
const zlibInflate =
  (load: (id: string) => unknown): Inflate =>
  (deflated) =>
    (load("node:zlib") as typeof import("node:zlib")).inflateRawSync(deflated);

/** The part's source text. */
export function unpack(part: ExecutablePart, inflate: Inflate): string {
  const text = part.packed.toString();
  const body = text.slice(text.indexOf("/*!") + 3, text.lastIndexOf("*/"));
  return part.encoding === "text" ? body.replaceAll("*//*!", "*/") : inflate(Buffer.from(body, "base64")).toString("utf8");
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Runs a function as the process ends (`process.once("exit")`; a test passes its own). */
export type AtExit = (listener: () => void) => void;

const atProcessExit: AtExit = (listener) => process.once("exit", listener);

/** Written when the process ends, so the cache holds every function the launch compiled. */
function writeCacheAtExit(script: Script, file: string, partName: string, atExit: AtExit): void {
  atExit(() => {
    const temporary = `${file}.${process.pid}`;
    try {
      writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
      renameSync(temporary, file);
      // The caches of this part's earlier builds can never be offered again (their source hash differs).
      for (const name of readdirSync(dirname(file))) {
        if (name.startsWith(`${partName}-`) && name.endsWith(".v8") && name !== basename(file)) rmSync(join(dirname(file), name), { force: true });
      }
    } catch {
      // The cache only makes the next launch faster; a launch never fails for it.
    }
  });
}

/**
 * Compiles and runs one part as a CommonJS module and returns its exports. `load` answers the
 * part's `require`: Node's own for built-ins (`node:zlib` unpacks a deflated part), or another
 * part's exports.
 */
export function runPart(part: ExecutablePart, load: (id: string) => unknown, cache: CodeCacheDirectory, atExit: AtExit = atProcessExit): unknown {
  const file = cache === undefined ? undefined : join(cache, `${part.name}-${part.id}-${process.version}-${process.arch}.v8`);
  const cachedData = file === undefined ? undefined : readCache(file);
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${unpack(part, zlibInflate(load))}\n})`, {
    filename: `terraform-provider-keyward/${part.name}.js`,
    ...(cachedData ? { cachedData } : {}),
  });
  if (file !== undefined && (cachedData === undefined || script.cachedDataRejected)) writeCacheAtExit(script, file, part.name, atExit);
  const module = { exports: {} as unknown };
  const filename = `terraform-provider-keyward/${part.name}.js`;
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, load, module, filename, "terraform-provider-keyward");
  return module.exports;
}
