import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresCluster, startPostgresCluster } from "../../../test/postgres/postgres-cluster";
import { cleanEnv, serveCli } from "./built-cli";

/**
 * SPEC §9 crash safety: `keyward serve` is killed (SIGKILL) while rotations are in flight. After a
 * restart every key still has exactly one current secret that verifies, and retrying each
 * interrupted rotation with its Idempotency-Key rotates at most once.
 */
const dataDir = mkdtempSync(join(tmpdir(), "keyward-crash-"));
let cluster: PostgresCluster;
let databaseUrl: string;
const env = {
  ...cleanEnv(),
  KEYWARD_PEPPER: "crash-test-pepper-0123456789abcdefghijkl",
};

beforeAll(async () => {
  cluster = await startPostgresCluster();
  databaseUrl = await cluster.createDatabase("crash");
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const serve = () => serveCli(dataDir, { ...env, KEYWARD_DATABASE_URL: databaseUrl });

async function api(url: string, token: string, method: string, path: string, body?: unknown, idempotencyKey?: string) {
  const answer = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: answer.status, body: (await answer.json()) as Record<string, any> };
}

describe("killing the server mid-rotation", () => {
  it("leaves every key with one current secret, and a retried rotation never rotates twice", async () => {
    const first = await serve();
    const rootToken = first.stdout[0] as string;
    await api(first.url, rootToken, "POST", "/v1/projects", { name: "crash" });
    const keys: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      keys.push((await api(first.url, rootToken, "POST", "/v1/keys", { project: "crash", environment: "live", name: `k${i}`, scopes: [] })).body.key.id);
    }
    // Each key rotates again and again; the last request sent for each key is the one the kill may cut.
    // The kill comes once some rotations have been answered (not after a fixed time, which a busy
    // machine may spend before the first one), while the next ones are in flight.
    const lastSent = new Map<string, string>();
    let stop = false;
    let answered = 0;
    let enoughAnswered: () => void = () => {};
    const someAnswered = new Promise<void>((resolve) => (enoughAnswered = resolve));
    const loops = keys.map(async (id) => {
      for (let n = 0; !stop; n += 1) {
        lastSent.set(id, `${id}-${n}`);
        try {
          await api(first.url, rootToken, "POST", `/v1/keys/${id}/rotate`, { grace_period: "1h" }, `${id}-${n}`);
        } catch {
          return;
        }
        answered += 1;
        if (answered >= 3 * keys.length) enoughAnswered();
      }
    });
    await someAnswered;
    first.child.kill("SIGKILL");
    stop = true;
    await Promise.all(loops);

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows: rotated } = await client.query("SELECT sum(version)::int AS versions FROM api_keys");
      expect(rotated[0].versions, "rotations were committed before the kill").toBeGreaterThan(keys.length);
      for (const id of keys) {
        const { rows } = await client.query(
          `SELECT count(*)::int AS current FROM key_secrets s JOIN api_keys k ON k.id = s.key_id
           WHERE s.key_id = $1 AND s.version = k.version AND s.revoked_at IS NULL AND s.expires_at IS NULL`,
          [id],
        );
        expect(rows[0].current, `key ${id} has exactly one current secret`).toBe(1);
      }
    } finally {
      await client.end();
    }

    const second = await serve();
    try {
      expect(second.stdout).toEqual([]);
      for (const id of keys) {
        const before = (await api(second.url, rootToken, "GET", `/v1/keys/${id}`)).body.version as number;
        const retried = await api(second.url, rootToken, "POST", `/v1/keys/${id}/rotate`, { grace_period: "1h" }, lastSent.get(id));
        const again = await api(second.url, rootToken, "POST", `/v1/keys/${id}/rotate`, { grace_period: "1h" }, lastSent.get(id));
        expect(retried.status).toBe(200);
        expect(again.body).toEqual(retried.body);
        const after = (await api(second.url, rootToken, "GET", `/v1/keys/${id}`)).body.version as number;
        expect(after - before).toBeLessThanOrEqual(1);
        expect((await api(second.url, rootToken, "POST", "/v1/verify", { key: retried.body.secret })).body.code).toBe("VALID");
      }
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  });
});
