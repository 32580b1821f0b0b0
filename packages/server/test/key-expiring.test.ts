import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject } from "./keyward-under-test";
import { WebhookReceiver } from "./webhook-receiver";

const DAY = 86_400_000;

/**
 * SPEC §15 acceptance 3: `key.expiring` (14 and 3 days before `expires_at`) and
 * `key.rotation_overdue` fire from the server's own timer, with no API call, against the injected
 * clock; each threshold once per key.
 */
let k: KeywardUnderTest;
let receiver: WebhookReceiver;
let secret: string;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  k = await openKeywardUnderTest({ extra: { allowPrivateWebhooks: true, webhookPollMs: 50, expiryCheckMs: 50 } });
  await seedProject(k, "billing", []);
  secret = ((await k.call("POST", "/v1/webhooks", { body: { url: receiver.url, events: ["key.expiring", "key.rotation_overdue"] } })).json() as { secret: string }).secret;
});
afterAll(async () => {
  await k?.close();
  await receiver?.close();
});

/** The events received, each checked against its signature (the clock is the test's, so sign and compare). */
function events(): { type: string; data: { key: { id: string }; days_before?: number } }[] {
  const signer = new Webhook(secret);
  return receiver.received.map((delivery) => {
    const timestamp = new Date(Number(delivery.headers["webhook-timestamp"]) * 1000);
    expect(delivery.headers["webhook-signature"]).toBe(signer.sign(String(delivery.headers["webhook-id"]), timestamp, delivery.body));
    return JSON.parse(delivery.body);
  });
}

async function settle(): Promise<void> {
  // Several check and delivery rounds: anything that would fire has fired by then.
  await new Promise((resolve) => setTimeout(resolve, 600));
}

describe("the expiry watch", () => {
  it("fires key.expiring at 14 and at 3 days before expiry, once each, with no request", async () => {
    const start = k.clock.read().getTime();
    const expiring = await seedKey(k, { project: "billing", environment: "live", name: "expiring", scopes: [], expires_at: new Date(start + 20 * DAY).toISOString() });
    await seedKey(k, { project: "billing", environment: "live", name: "far-off", scopes: [], expires_at: new Date(start + 60 * DAY).toISOString() });
    await settle();
    expect(events()).toEqual([]);

    k.clock.advance(7 * DAY);
    await receiver.until(() => receiver.received.length >= 1);
    await settle();
    expect(events().map((event) => [event.type, event.data.key.id, event.data.days_before])).toEqual([["key.expiring", expiring.id, 14]]);

    k.clock.advance(10 * DAY);
    await receiver.until(() => receiver.received.length >= 2);
    k.clock.advance(DAY);
    await settle();
    expect(events().map((event) => [event.type, event.data.key.id, event.data.days_before])).toEqual([
      ["key.expiring", expiring.id, 14],
      ["key.expiring", expiring.id, 3],
    ]);
  });

  it("fires only the nearest threshold for a key created inside both windows", async () => {
    const before = receiver.received.length;
    const soon = await seedKey(k, { project: "billing", environment: "test", name: "soon", scopes: [], expires_at: new Date(k.clock.read().getTime() + 2 * DAY).toISOString() });
    await receiver.until(() => receiver.received.length > before);
    await settle();
    expect(events().slice(before).map((event) => [event.data.key.id, event.data.days_before])).toEqual([[soon.id, 3]]);
  });

  it("fires key.rotation_overdue once when a rotation falls due", async () => {
    const before = receiver.received.length;
    const rotating = await seedKey(k, { project: "billing", environment: "live", name: "rotating", scopes: [], rotation: { every: "30d", grace_period: "1h" } });
    k.clock.advance(31 * DAY);
    await receiver.until(() => events().some((event) => event.type === "key.rotation_overdue"));
    await settle();
    const overdue = events().slice(before).filter((event) => event.type === "key.rotation_overdue");
    expect(overdue.map((event) => event.data.key.id)).toEqual([rotating.id]);
  });
});
