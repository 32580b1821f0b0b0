import { execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const INSTALL_HINT =
  "PostgreSQL 15 server binaries (initdb, pg_ctl, postgres) are required for these tests. Install them: `apt-get install postgresql` (Debian/Ubuntu) and make sure initdb and pg_ctl are on PATH.";

export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  readonly url: string;
  /** A fresh, empty database on this cluster, for one test's isolation. */
  createDatabase(name: string): Promise<string>;
  /** Runs one statement as the superuser on the `postgres` database (fault injection: pg_terminate_backend…). */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Stops the server (`pg_ctl stop -m MODE`), keeping its data, to simulate an outage. */
  stopServer(mode?: "fast" | "immediate"): Promise<void>;
  /** Starts it again on the same port after `stopServer`. */
  startServer(): Promise<void>;
  stop(): Promise<void>;
}

function binary(name: string): string {
  try {
    return execFileSync("sh", ["-c", `command -v ${name} || ls /usr/lib/postgresql/*/bin/${name} 2>/dev/null | tail -1`], { encoding: "utf8" }).trim();
  } catch {
    return "";
  }
}

function postgresUid(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    throw new Error(`No 'postgres' system user. ${INSTALL_HINT}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a throwaway PostgreSQL cluster in a temp directory owned by `postgres` (initdb and the
 * server refuse to run as root), on a free loopback port. Stop it in the test file's teardown.
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const initdb = binary("initdb");
  const pgCtl = binary("pg_ctl");
  if (!initdb || !pgCtl) throw new Error(INSTALL_HINT);
  const asPostgres = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
  const { uid, gid } = asPostgres.length > 0 ? postgresUid() : { uid: -1, gid: -1 };
  const root = mkdtempSync(join(tmpdir(), "keyward-pg-"));
  chmodSync(root, 0o755);
  if (uid >= 0) chownSync(root, uid, gid);
  const dataDir = join(root, "db");
  const port = await freePort();
  const command = (args: string[]) => {
    const [file, ...rest] = [...asPostgres, ...args];
    return run(file as string, rest, { timeout: 60_000 });
  };
  await command([initdb, "-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const start = () => command([pgCtl, "-D", dataDir, "-w", "-l", join(root, "log"), "-o", `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]);
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    async createDatabase(name) {
      const pg = (await import("pg")).default;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async query(sql, params = []) {
      const pg = (await import("pg")).default;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    async stopServer(mode = "fast") {
      await command([pgCtl, "-D", dataDir, "-m", mode, "-w", "stop"]);
    },
    async startServer() {
      await start();
    },
    async stop() {
      await command([pgCtl, "-D", dataDir, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
