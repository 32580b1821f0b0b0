import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresCluster, startPostgresCluster } from "../../../test/postgres/postgres-cluster";
import { joinKeyward, type StartedKeyward, startKeyward } from "../src/index";
import { WebhookReceiver } from "./webhook-receiver";

/**
 * SPEC §15: several instances on one PostgreSQL share one delivery queue; each delivery is claimed
 * by one instance (SKIP LOCKED and a lease), so the receiver sees each event once.
 */
let cluster: PostgresCluster;
let databaseUrl: string;
let first: StartedKeyward;
let others: { url: string; close(): Promise<void> }[] = [];
let receiver: WebhookReceiver;
const pepper = "pepper-shared-by-three-instances-01234567";
// Polling fast on every instance makes them race for the same rows.
const options = { pepper, allowPrivateWebhooks: true, webhookPollMs: 5 } as const;

beforeAll(async () => {
  cluster = await startPostgresCluster();
  databaseUrl = await cluster.createDatabase("webhook_instances");
  receiver = await WebhookReceiver.start();
  first = await startKeyward({ databaseUrl, ...options });
  others = [await joinKeyward({ databaseUrl, ...options }), await joinKeyward({ databaseUrl, ...options })];
});
afterAll(async () => {
  for (const instance of others) await instance.close();
  await first?.close();
  await receiver?.close();
  await cluster?.stop();
});

async function call(base: string, method: string, path: string, body?: unknown) {
  const answer = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${first.rootToken}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await answer.json()) as Record<string, any>;
}

describe("three instances on one PostgreSQL", () => {
  it("deliver every event exactly once between them", async () => {
    const urls = [first.url, ...others.map((instance) => instance.url)];
    await call(first.url, "POST", "/v1/webhooks", { url: receiver.url, events: ["key.created", "key.revoked"] });
    await call(first.url, "POST", "/v1/projects", { name: "shared" });
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const base = urls[i % urls.length] as string;
        const created = await call(base, "POST", "/v1/keys", { project: "shared", environment: "test", name: `k${i}`, scopes: [] });
        await call(urls[(i + 1) % urls.length] as string, "POST", `/v1/keys/${created.key.id}/revoke`, {});
      }),
    );
    await receiver.until(() => receiver.received.length >= 60, 30_000);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      for (let round = 0; round < 100; round += 1) {
        const { rows } = await client.query("SELECT count(*)::int AS pending FROM webhook_deliveries WHERE status = 'pending'");
        if (rows[0].pending === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const { rows } = await client.query("SELECT count(*)::int AS sent, max(jsonb_array_length(attempts))::int AS most FROM webhook_deliveries WHERE status = 'succeeded'");
      expect(rows[0]).toEqual({ sent: 60, most: 1 });
    } finally {
      await client.end();
    }
    const ids = receiver.received.map((delivery) => delivery.headers["webhook-id"]);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
  });
});
