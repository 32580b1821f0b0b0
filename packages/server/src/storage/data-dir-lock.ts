import { readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const LOCK_FILE = "keyward.lock";

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The embedded database is one process's: a second process opening the same data directory would
 * corrupt it. Takes `<dataDir>/keyward.lock` (a stale lock of a dead process is taken over).
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(path, String(process.pid), { flag: "wx", mode: 0o600 });
      return async () => {
        await unlink(path).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && running(holder)) {
        throw new Error(`the data directory ${dataDir} is in use by process ${holder}; stop it first (the embedded database allows one process)`);
      }
      if (holder === process.pid) {
        throw new Error(`the data directory ${dataDir} is already open in this process`);
      }
      await unlink(path).catch(() => undefined);
    }
  }
  throw new Error(`could not lock the data directory ${dataDir}`);
}
