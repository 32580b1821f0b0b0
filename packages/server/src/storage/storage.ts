import type { Database } from "./database";
import { migrate } from "./migrations";
import { openPgliteDatabase } from "./pglite-database";
import { openPostgresDatabase } from "./postgres-database";
import { Stores } from "./stores";

export interface StorageLocation {
  /** PGlite data directory; in memory when neither this nor `databaseUrl` is given. */
  dataDir?: string;
  /** A real PostgreSQL server. */
  databaseUrl?: string;
}

/**
 * Planner statistics, and on PGlite dead rows too: it has no autovacuum, and the usage flush
 * rewrites last-use rows all day, so without a VACUUM its tables and indexes only grow. Measured on
 * 100k keys, `VACUUM (ANALYZE)` costs about what `ANALYZE` alone does. PostgreSQL vacuums itself.
 */
function analyze(database: Database): Promise<void> {
  return database.script(database.backend === "pglite" ? "VACUUM (ANALYZE)" : "ANALYZE");
}

let memoryTemplate: Promise<Blob> | undefined;

/**
 * A new in-memory database. initdb and the migrations run once per process; later ones start from
 * a copy of that migrated template (a fraction of the time, which matters to test suites).
 */
async function openMemoryDatabase(): Promise<Database> {
  memoryTemplate ??= (async () => {
    const database = await openPgliteDatabase(undefined);
    try {
      await migrate(database);
      return await database.dump();
    } finally {
      await database.close();
    }
  })();
  return openPgliteDatabase(undefined, await memoryTemplate);
}

/** The storage the domain sees: table operations, transactions and change notifications. */
export class Storage {
  readonly stores: Stores;

  constructor(readonly database: Database) {
    this.stores = new Stores(database);
  }

  static async open(location: StorageLocation): Promise<Storage> {
    const database = location.databaseUrl
      ? await openPostgresDatabase(location.databaseUrl)
      : location.dataDir
        ? await openPgliteDatabase(location.dataDir)
        : await openMemoryDatabase();
    try {
      await migrate(database);
      await analyze(database);
    } catch (error) {
      await database.close();
      throw error;
    }
    return new Storage(database);
  }

  /** Refreshes the planner's statistics (SPEC §16; PGlite never gathers them on its own) and, on PGlite, reclaims dead rows. */
  analyze(): Promise<void> {
    return analyze(this.database);
  }

  transaction<T>(work: (stores: Stores) => Promise<T>): Promise<T> {
    return this.database.transaction((tx) => work(new Stores(tx)));
  }

  /** For /healthz. */
  async reachable(): Promise<boolean> {
    try {
      await this.database.query("SELECT 1");
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return this.database.close();
  }
}
