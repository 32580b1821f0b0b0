import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresCluster, startPostgresCluster } from "../../../test/postgres/postgres-cluster";
import { joinKeyward, type StartedKeyward, startKeyward } from "../src/index";

/**
 * SPEC §11 on real PostgreSQL 15: a silently stalled LISTEN connection, terminated backends, a
 * restart and an outage under write load, and unique-name races.
 */
let cluster: PostgresCluster;
const pepper = "pepper-shared-by-both-instances-0123456789";
const stopped: number[] = [];

beforeAll(async () => {
  cluster = await startPostgresCluster();
});
afterAll(async () => {
  for (const pid of stopped.splice(0)) resume(pid);
  await cluster?.stop();
});

// Answers are read loosely here; the route tests check them against the contract.
type Loose = any;

function caller(base: string, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Loose; retryAfter: string | null }> => {
    const answer = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await answer.text();
    return { status: answer.status, body: text ? JSON.parse(text) : undefined, retryAfter: answer.headers.get("retry-after") };
  };
}

/** Polls until `check` holds or the deadline passes; answers the time it took, or undefined. Never asserts on it. */
async function within(deadlineMs: number, check: () => Promise<boolean>): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < deadlineMs) {
    if (await check().catch(() => false)) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function resume(pid: number): void {
  try {
    process.kill(pid, "SIGCONT");
  } catch {
    // already gone
  }
}

async function listenPids(database: string): Promise<number[]> {
  const rows = await cluster.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'", [database]);
  return rows.map((row) => row.pid);
}

describe("a LISTEN connection that stalls silently", () => {
  let first: StartedKeyward;
  let second: { url: string; close(): Promise<void> };

  afterAll(async () => {
    for (const pid of stopped.splice(0)) resume(pid);
    await second?.close();
    await first?.close();
  });

  it("stops trusting the cache, so revocations of keys and tokens on A take effect on B within 1 s", async () => {
    const databaseUrl = await cluster.createDatabase("stall");
    first = await startKeyward({ databaseUrl, pepper });
    const before = await listenPids("stall");
    second = await joinKeyward({ databaseUrl, pepper });
    const onA = caller(first.url, first.rootToken);
    const onB = caller(second.url, first.rootToken);
    await onA("POST", "/v1/projects", { name: "shared" });
    const { secret, key } = (await onA("POST", "/v1/keys", { project: "shared", environment: "live", name: "k", scopes: [] })).body;
    const token = (await onA("POST", "/v1/tokens", { name: "reader", scopes: ["keys:read"] })).body;
    const asToken = caller(second.url, token.secret);
    // Warm B's caches so only the invalidation channel could make it change its mind.
    for (let i = 0; i < 3; i++) {
      expect((await onB("POST", "/v1/verify", { key: secret })).body.code).toBe("VALID");
      expect((await asToken("GET", "/v1/keys")).status).toBe(200);
    }

    const [listenerOfB] = (await listenPids("stall")).filter((pid) => !before.includes(pid));
    expect(listenerOfB).toBeTypeOf("number");
    process.kill(listenerOfB as number, "SIGSTOP");
    stopped.push(listenerOfB as number);

    expect((await onA("POST", `/v1/keys/${key.id}/revoke`, {})).status).toBe(200);
    const keyDelay = await within(1_000, async () => (await onB("POST", "/v1/verify", { key: secret })).body.code === "REVOKED");
    expect((await onA("DELETE", `/v1/tokens/${token.token.id}`)).status).toBe(204);
    const tokenDelay = await within(1_000, async () => (await asToken("GET", "/v1/keys")).status === 401);
    console.info(`stalled LISTEN on B: key revocation seen after ${keyDelay} ms, token revocation after ${tokenDelay} ms`);
    expect(keyDelay).toBeTypeOf("number");
    expect(tokenDelay).toBeTypeOf("number");

    // B replaces the stalled connection and caches again; a later revocation still reaches it.
    const later = (await onA("POST", "/v1/keys", { project: "shared", environment: "live", name: "later", scopes: [] })).body;
    expect(await within(8_000, async () => (await onB("POST", "/v1/verify", { key: later.secret })).body.code === "VALID")).toBeTypeOf("number");
    await onA("POST", `/v1/keys/${later.key.id}/revoke`, {});
    expect(await within(1_000, async () => (await onB("POST", "/v1/verify", { key: later.secret })).body.code === "REVOKED")).toBeTypeOf("number");
  }, 30_000);
});

describe("database faults under write load", () => {
  let server: StartedKeyward;

  afterAll(async () => {
    await server?.close();
  });

  it("never exits, answers 503 with Retry-After while down, and resumes within 10 s each time", async () => {
    const databaseUrl = await cluster.createDatabase("faults");
    server = await startKeyward({ databaseUrl, pepper });
    const call = caller(server.url, server.rootToken);
    await call("POST", "/v1/projects", { name: "load" });
    const { secret } = (await call("POST", "/v1/keys", { project: "load", environment: "test", name: "probe", scopes: [] })).body;

    // Write load: scopes and keys created without pause; every answer is recorded, as is any request that got none.
    const statuses = new Map<number, number>();
    const noAnswer: string[] = [];
    let running = true;
    let sequence = 0;
    const worker = async () => {
      while (running) {
        sequence += 1;
        const n = sequence;
        const request = n % 2 === 0 ? call("PUT", `/v1/projects/load/scopes/s${n}`, {}) : call("POST", "/v1/keys", { project: "load", environment: "test", name: `k${n}`, scopes: [] });
        await request.then(
          (answer) => statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1),
          (error: unknown) => noAnswer.push(String(error)),
        );
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    const serving = async () => (await call("POST", "/v1/verify", { key: secret })).body?.code === "VALID" && (await call("GET", "/v1/keys?limit=1")).status === 200;

    const outcomes: string[] = [];
    for (let trial = 1; trial <= 2; trial++) {
      await sleep(300);
      await cluster.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'faults' AND pid <> pg_backend_pid()");
      const afterTerminate = await within(10_000, serving);
      expect(afterTerminate).toBeTypeOf("number");

      await cluster.stopServer("fast");
      await cluster.startServer();
      const afterRestart = await within(10_000, serving);
      expect(afterRestart).toBeTypeOf("number");

      await cluster.stopServer("fast");
      await sleep(1_000);
      const down = await Promise.all([
        call("POST", "/v1/verify", { key: secret }),
        call("GET", "/v1/keys"),
        call("POST", "/v1/projects", { name: `down-${trial}` }),
        call("GET", "/v1/audit"),
        fetch(`${server.url}/healthz`).then(async (answer) => ({ status: answer.status, body: await answer.json(), retryAfter: answer.headers.get("retry-after") })),
      ]);
      for (const answer of down) {
        expect(answer.status).toBe(503);
        expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      }
      expect(down[0]?.body.error.code).toBe("UNAVAILABLE");
      expect(down[4]?.body).toEqual({ status: "degraded", database: "unavailable" });
      await cluster.startServer();
      const afterOutage = await within(10_000, serving);
      expect(afterOutage).toBeTypeOf("number");
      outcomes.push(`trial ${trial}: resumed ${afterTerminate} ms after terminating every backend, ${afterRestart} ms after a restart, ${afterOutage} ms after an outage`);
    }
    running = false;
    await Promise.all(workers);
    console.info(`${outcomes.join("; ")}; answers under load: ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(noAnswer).toEqual([]);
    expect([...statuses.keys()].filter((status) => ![200, 201, 503].includes(status))).toEqual([]);
    expect(statuses.get(503)).toBeGreaterThan(0);
  }, 120_000);
});

describe("unique-name races", () => {
  let server: StartedKeyward;

  afterAll(async () => {
    await server?.close();
  });

  it("answers 20 parallel creates of one key name with one 201 and nineteen 409s", async () => {
    server = await startKeyward({ databaseUrl: await cluster.createDatabase("races"), pepper });
    const call = caller(server.url, server.rootToken);
    await call("POST", "/v1/projects", { name: "race" });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => call("POST", "/v1/keys", { project: "race", environment: "live", name: "same", scopes: [] })),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(409)]);
    for (const answer of answers.filter((a) => a.status === 409)) expect(answer.body.error.details).toEqual([{ field: "body.name", message: "must be unique within the project and environment" }]);
    const projects = await Promise.all(Array.from({ length: 10 }, () => call("POST", "/v1/projects", { name: "twin" })));
    expect(projects.map((answer) => answer.status).sort()).toEqual([201, ...Array(9).fill(409)]);
  }, 30_000);
});
