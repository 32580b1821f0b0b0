// A throwaway PostgreSQL cluster for the scale-out rows, as test/postgres/postgres-cluster.ts
// starts one for the tests (initdb and postgres refuse to run as root: `runuser -u postgres`).
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const HINT = "the scale-out rows need PostgreSQL 15 server binaries (initdb, pg_ctl): apt-get install postgresql";

function binary(name) {
  const found = execFileSync("sh", ["-c", `command -v ${name} || ls /usr/lib/postgresql/*/bin/${name} 2>/dev/null | tail -1`], { encoding: "utf8" }).trim();
  if (!found) throw new Error(HINT);
  return found;
}

export function startPostgres(port) {
  const asPostgres = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
  const root = mkdtempSync(join(tmpdir(), "keyward-bench-pg-"));
  chmodSync(root, 0o755);
  if (asPostgres.length > 0) chownSync(root, Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })), Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })));
  const run = (args) => {
    const [file, ...rest] = [...asPostgres, ...args];
    execFileSync(file, rest, { stdio: "ignore", timeout: 60_000 });
  };
  const dataDir = join(root, "db");
  run([binary("initdb"), "-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync"]);
  run([binary("pg_ctl"), "-D", dataDir, "-w", "-l", join(root, "log"), "-o", `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      run([binary("pg_ctl"), "-D", dataDir, "-w", "-m", "immediate", "stop"]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
