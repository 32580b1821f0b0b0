import type { LookupAddress } from "node:dns";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject, seedToken } from "../../test/keyward-under-test";
import { WebhookReceiver } from "../../test/webhook-receiver";

const ALL_EVENTS = [
  "key.created", "key.updated", "key.rotated", "key.rolled_back", "key.revoked", "key.deleted",
  "key.expiring", "key.rotation_overdue", "key.exposed", "token.created", "token.revoked",
];

interface DeliveryView {
  status: string;
  attempts: { status_code: number | null; error: string | null }[];
  next_attempt_at: string | null;
}

/** The delivery log once `ready` holds (polled; fails after 20 s showing the last log). */
async function deliveriesOf(k: KeywardUnderTest, id: string, ready: (data: DeliveryView[]) => boolean): Promise<DeliveryView[]> {
  let data: DeliveryView[] = [];
  for (let round = 0; round < 200; round += 1) {
    data = ((await k.call("GET", `/v1/webhooks/${id}/deliveries?limit=100`)).json() as { data: DeliveryView[] }).data;
    if (ready(data)) return data;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`delivery log never got ready: ${JSON.stringify(data)}`);
}

describe("webhooks (server allows private webhooks)", () => {
  let k: KeywardUnderTest;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    k = await openKeywardUnderTest({
      realTime: true,
      extra: { allowPrivateWebhooks: true, webhookPollMs: 50, webhookRetry: { baseMs: 100, maxMs: 400 } },
    });
    await seedProject(k, "billing", ["invoices:read"]);
    await seedProject(k, "other", []);
  });
  afterAll(async () => {
    await k?.close();
    await receiver?.close();
  });

  it("delivers every event of a key's life, each signed so the standardwebhooks package verifies it", async () => {
    const created = await k.call("POST", "/v1/webhooks", { body: { url: receiver.url, events: ALL_EVENTS, project: "billing" } });
    expect(created.statusCode).toBe(201);
    const { webhook, secret } = created.json() as { webhook: { id: string }; secret: string };
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(JSON.stringify((await k.call("GET", `/v1/webhooks/${webhook.id}`)).json())).not.toContain(secret.slice(6));

    const key = await seedKey(k, { project: "billing", environment: "live", name: "life", scopes: ["invoices:read"] });
    expect((await k.call("PATCH", `/v1/keys/${key.id}`, { body: { metadata: { team: "payments" } } })).statusCode).toBe(200);
    expect((await k.call("POST", `/v1/keys/${key.id}/rotate`, { body: { grace_period: "1h" } })).statusCode).toBe(200);
    expect((await k.call("POST", `/v1/keys/${key.id}/rollback`, { body: {} })).statusCode).toBe(200);
    expect((await k.call("POST", `/v1/keys/${key.id}/revoke`, { body: {} })).statusCode).toBe(200);
    expect((await k.call("DELETE", `/v1/keys/${key.id}`)).statusCode).toBe(204);
    const token = await seedToken(k, { name: "billing-ci", scopes: ["keys:read"], project: "billing" });
    expect((await k.call("DELETE", `/v1/tokens/${token.id}`)).statusCode).toBe(204);
    // Another project's key is not this webhook's business.
    await seedKey(k, { project: "other", environment: "live", name: "elsewhere", scopes: [] });

    const expected = ["key.created", "key.updated", "key.rotated", "key.rolled_back", "key.revoked", "key.deleted", "token.created", "token.revoked"];
    await receiver.until(() => receiver.received.length >= expected.length);
    expect([...receiver.types()].sort()).toEqual([...expected].sort());

    const verifier = new Webhook(secret);
    for (const delivery of receiver.received) {
      const payload = verifier.verify(delivery.body, delivery.headers as Record<string, string>) as { type: string; data: { key?: { id: string; project: string } } };
      expect(delivery.headers["webhook-id"]).toMatch(/^msg_/);
      expect(delivery.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      if (payload.data.key) expect(payload.data.key).toMatchObject({ id: key.id, project: "billing" });
    }
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString("base64")}`).verify(receiver.received[0]?.body ?? "", receiver.received[0]?.headers as Record<string, string>)).toThrow();

    const log = await deliveriesOf(k, webhook.id, (data) => data.length === expected.length && data.every((delivery) => delivery.status === "succeeded"));
    for (const delivery of log) expect(delivery.attempts.map((attempt) => attempt.status_code)).toEqual([200]);
  });

  it("retries a receiver that answers 500 with backoff until it answers 2xx", async () => {
    const flaky = await WebhookReceiver.start();
    let failures = 2;
    flaky.status = () => (failures-- > 0 ? 500 : 204);
    try {
      const { webhook } = (await k.call("POST", "/v1/webhooks", { body: { url: flaky.url, events: ["key.created"], project: "other" } })).json() as { webhook: { id: string } };
      await seedKey(k, { project: "other", environment: "test", name: "flaky", scopes: [] });
      const log = await deliveriesOf(k, webhook.id, (data) => data[0]?.status === "succeeded");
      expect(log).toHaveLength(1);
      expect(log[0]?.attempts.map((attempt) => attempt.status_code)).toEqual([500, 500, 204]);
      expect(log[0]?.next_attempt_at).toBeNull();
      // Every attempt carried the same message id, so the receiver can drop duplicates.
      expect(new Set(flaky.received.map((delivery) => delivery.headers["webhook-id"])).size).toBe(1);
    } finally {
      await flaky.close();
    }
  });

  it("keeps a project-bound token to its own project's webhooks", async () => {
    const bound = await seedToken(k, { name: "other-hooks", scopes: ["webhooks:write"], project: "other" });
    const mine = await k.call("POST", "/v1/webhooks", { token: bound.secret, body: { url: receiver.url, events: ["key.created"] } });
    expect(mine.statusCode).toBe(201);
    expect((mine.json() as { webhook: { project: string } }).webhook.project).toBe("other");
    expect((await k.call("POST", "/v1/webhooks", { token: bound.secret, body: { url: receiver.url, events: ["key.created"], project: "billing" } })).statusCode).toBe(403);
    const listed = (await k.call("GET", "/v1/webhooks", { token: bound.secret })).json() as { data: { project: string }[] };
    expect(listed.data.length).toBeGreaterThan(0);
    expect(listed.data.every((webhook) => webhook.project === "other")).toBe(true);
    const foreign = ((await k.call("GET", "/v1/webhooks?project=billing")).json() as { data: { id: string }[] }).data[0]?.id;
    expect((await k.call("GET", `/v1/webhooks/${foreign}`, { token: bound.secret })).statusCode).toBe(404);
    expect((await k.call("DELETE", `/v1/webhooks/${foreign}`, { token: bound.secret })).statusCode).toBe(404);
    expect((await k.call("GET", `/v1/webhooks/${foreign}/deliveries`, { token: bound.secret })).statusCode).toBe(404);
    const reader = await seedToken(k, { name: "reader", scopes: ["keys:read"] });
    expect((await k.call("GET", "/v1/webhooks", { token: reader.secret })).statusCode).toBe(403);
    expect((await k.call("GET", "/v1/webhooks", { token: null })).statusCode).toBe(401);
  });

  it("deletes a webhook and its queue", async () => {
    const { webhook } = (await k.call("POST", "/v1/webhooks", { body: { url: receiver.url, events: ["key.created"] } })).json() as { webhook: { id: string } };
    expect((await k.call("DELETE", `/v1/webhooks/${webhook.id}`)).statusCode).toBe(204);
    expect((await k.call("GET", `/v1/webhooks/${webhook.id}`)).statusCode).toBe(404);
    expect((await k.call("GET", `/v1/webhooks/${webhook.id}/deliveries`)).statusCode).toBe(404);
  });

  it("names the field and the rule for a bad webhook, without echoing it", async () => {
    const bad = await k.call("POST", "/v1/webhooks", { body: { url: "ftp://kw_live_secretlooking", events: ["key.eaten"] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("body.url");
    expect(bad.body).toContain("body.events[0]");
    expect(bad.body).not.toContain("secretlooking");
    expect((await k.call("POST", "/v1/webhooks", { body: { url: receiver.url, events: [] } })).statusCode).toBe(400);
    expect((await k.call("POST", "/v1/webhooks", { body: { url: receiver.url, events: ["key.created"], project: "nope" } })).statusCode).toBe(404);
  });
});

describe("webhooks (server refuses private webhooks, the default)", () => {
  let k: KeywardUnderTest;
  let receiver: WebhookReceiver;
  // "rebind.test" resolves to a public address when the webhook is created and to loopback after.
  let rebound = false;
  const lookup = ((hostname: string, _options: unknown, callback: (error: Error | null, addresses: LookupAddress[]) => void) => {
    if (hostname !== "rebind.test") return callback(Object.assign(new Error("not found"), { code: "ENOTFOUND" }), []);
    callback(null, [{ address: rebound ? "127.0.0.1" : "93.184.215.14", family: 4 }]);
  }) as never;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    k = await openKeywardUnderTest({ realTime: true, extra: { webhookPollMs: 50, webhookLookup: lookup, webhookRetry: { baseMs: 60_000 } } });
    await seedProject(k, "billing", []);
  });
  afterAll(async () => {
    await k?.close();
    await receiver?.close();
  });

  it("refuses a URL on 127.0.0.1, a private or link-local address, or plain http", async () => {
    for (const url of [
      `https://127.0.0.1:${receiver.port}/hooks`,
      "https://[::1]/hooks",
      "https://10.1.2.3/hooks",
      "https://169.254.169.254/latest/meta-data",
      "https://[fd00::1]/hooks",
      "https://[::ffff:192.168.0.1]/hooks",
      receiver.url,
    ]) {
      const refused = await k.call("POST", "/v1/webhooks", { body: { url, events: ["key.created"] } });
      expect(refused.statusCode, url).toBe(400);
      expect((refused.json() as { error: { details: { field: string }[] } }).error.details[0]?.field).toBe("body.url");
    }
    expect((await k.call("GET", "/v1/webhooks")).json()).toMatchObject({ data: [] });
  });

  it("checks the address again at delivery, so DNS rebinding to loopback fails the delivery", async () => {
    const created = await k.call("POST", "/v1/webhooks", { body: { url: "https://rebind.test/hooks", events: ["key.created"] } });
    expect(created.statusCode).toBe(201);
    const { webhook } = created.json() as { webhook: { id: string } };
    rebound = true;
    await seedKey(k, { project: "billing", environment: "test", name: "rebind", scopes: [] });
    const log = await deliveriesOf(k, webhook.id, (data) => (data[0]?.attempts.length ?? 0) > 0);
    expect(log[0]?.attempts[0]).toMatchObject({ status_code: null, error: "refused: private address" });
    expect(log[0]?.status).toBe("pending");
    expect(receiver.received).toHaveLength(0);
  });
});
