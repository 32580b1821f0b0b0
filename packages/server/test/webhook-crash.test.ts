import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresCluster, startPostgresCluster } from "../../../test/postgres/postgres-cluster";
import { cleanEnv, serveCli } from "./built-cli";
import { WebhookReceiver } from "./webhook-receiver";

/**
 * SPEC §15 acceptance 1: deliveries are queued durably. The receiver is down and the server
 * (`keyward serve` from the built CLI, on PostgreSQL) is killed with SIGKILL while deliveries wait
 * in the queue; after both come back every event arrives, signed, and the log shows it delivered.
 */
const dataDir = mkdtempSync(join(tmpdir(), "keyward-webhook-crash-"));
let cluster: PostgresCluster;
let databaseUrl: string;
const env = {
  ...cleanEnv(),
  KEYWARD_PEPPER: "webhook-crash-pepper-0123456789abcdefghij",
  KEYWARD_ALLOW_PRIVATE_WEBHOOKS: "1",
  // Short backoff and attempt budget, so the test does not wait for production delays.
  KEYWARD_WEBHOOK_RETRY_BASE: "1s",
  KEYWARD_WEBHOOK_TIMEOUT: "1s",
};

beforeAll(async () => {
  cluster = await startPostgresCluster();
  databaseUrl = await cluster.createDatabase("webhooks");
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const serve = () => serveCli(dataDir, { ...env, KEYWARD_DATABASE_URL: databaseUrl });

async function api(url: string, token: string, method: string, path: string, body?: unknown) {
  const answer = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: answer.status, body: (await answer.json()) as Record<string, any> };
}

async function queued(): Promise<{ messages: string[]; pending: number; attempted: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const messages = (await client.query("SELECT id FROM webhook_messages ORDER BY id")).rows.map((row) => row.id as string);
    const { rows } = await client.query(
      "SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending, count(*) FILTER (WHERE jsonb_array_length(attempts) > 0)::int AS attempted FROM webhook_deliveries",
    );
    return { messages, pending: rows[0].pending, attempted: rows[0].attempted };
  } finally {
    await client.end();
  }
}

describe("a webhook queue across SIGKILL", () => {
  it("loses no delivery when the receiver and the server die mid-queue", async () => {
    let receiver = await WebhookReceiver.start();
    const port = receiver.port;
    const first = await serve();
    const rootToken = first.stdout[0] as string;
    const created = await api(first.url, rootToken, "POST", "/v1/webhooks", { url: receiver.url, events: ["key.created", "key.rotated", "key.revoked", "token.created"] });
    expect(created.status).toBe(201);
    const signingSecret = created.body.secret as string;
    await api(first.url, rootToken, "POST", "/v1/projects", { name: "crash" });

    // The receiver goes away; events keep coming and wait in the queue.
    await receiver.close();
    for (let i = 0; i < 4; i += 1) {
      const key = await api(first.url, rootToken, "POST", "/v1/keys", { project: "crash", environment: "live", name: `k${i}`, scopes: [] });
      await api(first.url, rootToken, "POST", `/v1/keys/${key.body.key.id}/rotate`, {});
      if (i % 2 === 0) await api(first.url, rootToken, "POST", `/v1/keys/${key.body.key.id}/revoke`, {});
    }
    await api(first.url, rootToken, "POST", "/v1/tokens", { name: "crash-reader", scopes: ["keys:read"] });
    // Wait until every delivery has failed once against the dead receiver.
    for (let round = 0; round < 100; round += 1) {
      const state = await queued();
      if (state.messages.length > 0 && state.attempted === state.messages.length) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const before = await queued();
    expect(before.messages).toHaveLength(4 + 4 + 2 + 1);
    expect(before.pending, "every delivery is still queued when the server is killed").toBe(before.messages.length);
    first.child.kill("SIGKILL");
    await first.exited;

    receiver = await WebhookReceiver.start(port);
    const second = await serve();
    try {
      await receiver.until(() => new Set(receiver.received.map((delivery) => delivery.headers["webhook-id"])).size >= before.messages.length, 60_000);
      const verifier = new Webhook(signingSecret);
      for (const delivery of receiver.received) verifier.verify(delivery.body, delivery.headers as Record<string, string>);
      expect([...new Set(receiver.received.map((delivery) => delivery.headers["webhook-id"]))].sort()).toEqual(before.messages);
      const types = receiver.types().sort();
      expect(types.filter((type) => type === "key.created")).toHaveLength(4);
      expect(types.filter((type) => type === "key.rotated")).toHaveLength(4);
      expect(types.filter((type) => type === "key.revoked")).toHaveLength(2);
      expect(types.filter((type) => type === "token.created")).toHaveLength(1);

      for (let round = 0; (await queued()).pending > 0 && round < 100; round += 1) await new Promise((resolve) => setTimeout(resolve, 100));
      const log = await api(second.url, rootToken, "GET", `/v1/webhooks/${created.body.webhook.id}/deliveries?limit=100`);
      expect(log.body.data).toHaveLength(before.messages.length);
      for (const delivery of log.body.data) {
        expect(delivery.status).toBe("succeeded");
        expect(delivery.attempts.at(-1).status_code).toBe(200);
        expect(delivery.attempts[0]).toMatchObject({ status_code: null, error: "connection refused" });
      }
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
      await receiver.close();
    }
  });
});
