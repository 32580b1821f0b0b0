import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresCluster, startPostgresCluster } from "../../../test/postgres/postgres-cluster";
import { joinKeyward, type StartedKeyward, startKeyward } from "../src/index";

/** Issue 2 acceptance 7: two servers on one PostgreSQL; a revocation through one is seen by the other within 1 s. */
let cluster: PostgresCluster;
let first: StartedKeyward;
let second: { url: string; close(): Promise<void> };
const pepper = "pepper-shared-by-both-instances-0123456789";

beforeAll(async () => {
  cluster = await startPostgresCluster();
  const databaseUrl = await cluster.createDatabase("instances");
  first = await startKeyward({ databaseUrl, pepper });
  second = await joinKeyward({ databaseUrl, pepper });
});
afterAll(async () => {
  await second?.close();
  await first?.close();
  await cluster?.stop();
});

// Answers are read loosely here; the route tests check them against the contract.
type Loose = any;

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Loose }> {
  const answer = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${first.rootToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: answer.status, body: answer.status === 204 ? undefined : await answer.json() };
}

/** Polls until `check` holds or the deadline passes; never asserts on elapsed time itself. */
async function eventually(check: () => Promise<boolean>, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

describe("two instances on one PostgreSQL", () => {
  it("sees a key revoked through the other instance as REVOKED within 1 s", async () => {
    await call(first.url, "POST", "/v1/projects", { name: "shared" });
    await call(first.url, "PUT", "/v1/projects/shared/scopes/s:read", {});
    const created = await call(first.url, "POST", "/v1/keys", { project: "shared", environment: "live", name: "k", scopes: ["s:read"] });
    const { secret, key } = created.body;
    // Warm the second instance's cache so only a notification can make it change its mind.
    expect((await call(second.url, "POST", "/v1/verify", { key: secret })).body.code).toBe("VALID");
    expect((await call(second.url, "POST", "/v1/verify", { key: secret })).body.code).toBe("VALID");
    expect((await call(first.url, "POST", `/v1/keys/${key.id}/revoke`, {})).status).toBe(200);
    const seen = await eventually(async () => (await call(second.url, "POST", "/v1/verify", { key: secret })).body.code === "REVOKED", 1_000);
    expect(seen).toBe(true);
  });

  it("sees a rotation and a revoked management token on the other instance", async () => {
    const created = await call(first.url, "POST", "/v1/keys", { project: "shared", environment: "live", name: "rotating", scopes: [] });
    expect((await call(second.url, "POST", "/v1/verify", { key: created.body.secret })).body.code).toBe("VALID");
    await call(first.url, "POST", `/v1/keys/${created.body.key.id}/rotate`, {});
    const expired = await eventually(async () => (await call(second.url, "POST", "/v1/verify", { key: created.body.secret })).body.code === "EXPIRED", 1_000);
    expect(expired).toBe(true);

    const token = await call(first.url, "POST", "/v1/tokens", { name: "short-lived", scopes: ["keys:read"] });
    const asToken = () => fetch(`${second.url}/v1/keys`, { headers: { authorization: `Bearer ${token.body.secret}` } }).then((answer) => answer.status);
    expect(await asToken()).toBe(200);
    await call(first.url, "DELETE", `/v1/tokens/${token.body.token.id}`);
    expect(await eventually(async () => (await asToken()) === 401, 1_000)).toBe(true);
  });

  it("keeps one unbroken audit chain written by both instances", async () => {
    await call(second.url, "POST", "/v1/projects", { name: "from-second" });
    await Promise.all([
      call(first.url, "PUT", "/v1/projects/from-second/scopes/a:b", {}),
      call(second.url, "PUT", "/v1/projects/from-second/scopes/c:d", {}),
      call(first.url, "PUT", "/v1/projects/shared/scopes/e:f", {}),
    ]);
    expect((await call(second.url, "GET", "/v1/audit/verify")).body).toMatchObject({ ok: true });
  });
});
