import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import type { Database, Queryable } from "./database";

interface SqlTarget {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  exec(sql: string): Promise<unknown>;
}

/**
 * The embedded backend: PostgreSQL compiled to WASM, in this process, persisted in `dataDir`
 * (or in memory when `dataDir` is undefined). One connection, so NOTIFY only ever comes from this
 * process, which is also the only writer: the cache stays correct without cross-process signals.
 */
export async function openPgliteDatabase(dataDir: string | undefined): Promise<Database> {
  if (dataDir) await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pglite = await PGlite.create(dataDir ? `${dataDir}/pgdata` : undefined);
  const queryable = (target: SqlTarget): Queryable => ({
    query: async <Row>(sql: string, params: readonly unknown[] = []) => (await target.query<Row>(sql, params as unknown[])).rows,
    script: async (sql: string) => {
      await target.exec(sql);
    },
  });
  let closed = false;
  return {
    backend: "pglite",
    notificationsLive: true,
    ...queryable(pglite),
    transaction: (work) => pglite.transaction((tx) => work(queryable(tx))),
    async listen(channel, onMessage) {
      const stop = await pglite.listen(channel, onMessage);
      return async () => {
        if (!closed) await stop();
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await pglite.close();
    },
  };
}
