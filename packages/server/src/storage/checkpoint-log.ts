import { mkdir, open, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";

export const CHECKPOINT_FILE = "audit-checkpoints.jsonl";

/** Where signed audit checkpoints go (SPEC §12): one JSON line each, outside the database. */
export interface CheckpointLog {
  readonly location: string;
  append(line: string): Promise<void>;
  /** Everything appended so far; empty when nothing has been. */
  read(): Promise<string>;
}

/** A file that is only ever appended to, each line forced to disk before the append counts. */
export function fileCheckpointLog(path: string): CheckpointLog {
  return {
    location: path,
    async append(line) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const file = await open(path, "a", 0o600);
      try {
        await file.write(`${line}\n`);
        await file.sync();
      } finally {
        await file.close();
      }
    },
    async read() {
      try {
        return await readFile(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
        throw error;
      }
    },
  };
}

/** For an in-memory database (tests): checkpoints live as long as the process. */
export function memoryCheckpointLog(): CheckpointLog {
  const lines: string[] = [];
  return {
    location: "memory",
    async append(line) {
      lines.push(`${line}\n`);
    },
    async read() {
      return lines.join("");
    },
  };
}

export function defaultCheckpointPath(dataDir: string): string {
  return join(dataDir, CHECKPOINT_FILE);
}
