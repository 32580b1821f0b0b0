import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { lockDataDir } from "./data-dir-lock";
import type { Database, Queryable } from "./database";
import { databaseErrorOf } from "./database-error";

interface SqlTarget {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  exec(sql: string): Promise<unknown>;
}

export interface PgliteDatabase extends Database {
  /** A copy of the whole database, from which another can start without running initdb. */
  dump(): Promise<Blob>;
}

/**
 * The embedded backend: PostgreSQL compiled to WASM, in this process, persisted in `dataDir`
 * (or in memory when `dataDir` is undefined). One connection, so NOTIFY only ever comes from this
 * process, which is also the only writer: the cache stays correct without cross-process signals.
 */
export async function openPgliteDatabase(dataDir: string | undefined, template?: Blob): Promise<PgliteDatabase> {
  if (dataDir) await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const unlock = dataDir ? await lockDataDir(dataDir) : async () => undefined;
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({ ...(dataDir ? { dataDir: `${dataDir}/pgdata` } : {}), ...(template ? { loadDataDir: template } : {}) });
  } catch (error) {
    await unlock();
    throw error;
  }
  const queryable = (target: SqlTarget): Queryable => ({
    query: <Row>(sql: string, params: readonly unknown[] = []) => translated(async () => (await target.query<Row>(sql, params as unknown[])).rows),
    script: (sql: string) =>
      translated(async () => {
        await target.exec(sql);
      }),
  });
  let closed = false;
  return {
    backend: "pglite",
    notificationsLive: true,
    ...queryable(pglite),
    transaction: (work) => translated(() => pglite.transaction((tx) => work(queryable(tx)))),
    async listen(channel, onMessage) {
      const stop = await pglite.listen(channel, onMessage);
      return async () => {
        if (!closed) await stop();
      };
    },
    dump: () => pglite.dumpDataDir("none"),
    async close() {
      if (closed) return;
      closed = true;
      await pglite.close();
      await unlock();
    },
  };
}

/**
 * PGlite's errors carry the statement and its bound parameters (`query`, `params`): they are
 * replaced by the server's own (see `database-error.ts`) before anything can log them.
 */
async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw databaseErrorOf(error, 1);
  }
}
