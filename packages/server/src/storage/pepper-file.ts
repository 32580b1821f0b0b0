import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const PEPPER_FILE = "pepper";

/**
 * The pepper's bytes: from `KEYWARD_PEPPER` (base64 or hex of at least 32 bytes, or a passphrase
 * of at least 32 characters), else from `<dataDir>/pepper` (created with mode 0600 on first use).
 * Never from the database: a stolen database alone must not be enough to test guesses.
 */
export async function loadPepper(options: { dataDir?: string; fromEnvironment?: string }): Promise<Uint8Array | undefined> {
  if (options.fromEnvironment !== undefined) return decodePepper(options.fromEnvironment);
  if (!options.dataDir) return undefined;
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const path = join(options.dataDir, PEPPER_FILE);
  try {
    await writeFile(path, `${randomBytes(32).toString("base64")}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  // Someone may have loosened it; a pepper readable by others is no pepper.
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return decodePepper((await readFile(path, "utf8")).trim());
}

/** The pepper if there is one already (KEYWARD_PEPPER or the data directory's file); never creates it. */
export async function readExistingPepper(options: { dataDir: string; fromEnvironment?: string }): Promise<Uint8Array | undefined> {
  if (options.fromEnvironment !== undefined) return decodePepper(options.fromEnvironment);
  try {
    return decodePepper((await readFile(join(options.dataDir, PEPPER_FILE), "utf8")).trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function decodePepper(text: string): Uint8Array {
  if (/^[0-9a-fA-F]{64,}$/.test(text)) return Buffer.from(text, "hex");
  if (/^[A-Za-z0-9+/_-]{43,}={0,2}$/.test(text)) {
    const bytes = Buffer.from(text, "base64");
    if (bytes.length >= 32) return bytes;
  }
  if (text.length >= 32) return Buffer.from(text, "utf8");
  throw new Error("KEYWARD_PEPPER must be at least 32 bytes: base64 or hex of 32 random bytes (e.g. `openssl rand -base64 32`)");
}
