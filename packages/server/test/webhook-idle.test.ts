import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { WebhookDispatcher } from "../src/domain/webhooks/webhook-dispatcher";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject } from "./keyward-under-test";
import { WebhookReceiver } from "./webhook-receiver";

const POLL_MS = 20;

/** Counts the dispatcher's claims on the queue from now on. */
function countClaims(k: KeywardUnderTest): { readonly count: number } {
  const deliveries = k.keyward.services.storage.stores.deliveries;
  const claimDue = deliveries.claimDue.bind(deliveries);
  const counter = { count: 0 };
  deliveries.claimDue = (...args) => {
    counter.count += 1;
    return claimDue(...args);
  };
  return counter;
}

/** Lets the event loop run for `polls` poll periods (a poll due in that span would have run). */
const pollPeriods = (polls: number) => new Promise((resolve) => setTimeout(resolve, polls * POLL_MS));

/**
 * On the embedded database every delivery is queued by this process, which wakes its dispatcher:
 * with nothing pending there is no poll of the queue (a statement a second on the thread that
 * answers verifications), and a queued delivery is still sent at once.
 */
describe("webhook dispatcher on the embedded database", () => {
  let k: KeywardUnderTest;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    k = await openKeywardUnderTest({ realTime: true, extra: { allowPrivateWebhooks: true, webhookPollMs: POLL_MS } });
    await seedProject(k, "billing", []);
  });
  afterAll(async () => {
    await k?.close();
    await receiver?.close();
  });

  it("stops polling while nothing is queued, and still sends what a change queues", async () => {
    const claims = countClaims(k);
    await vi.waitFor(() => expect(k.keyward.dispatcher.idle).toBe(true));
    const before = claims.count;
    await pollPeriods(10);
    expect(claims.count).toBe(before);

    expect((await k.call("POST", "/v1/webhooks", { body: { url: receiver.url, events: ["key.created"], project: "billing" } })).statusCode).toBe(201);
    await seedKey(k, { project: "billing", environment: "live", name: "announced", scopes: [] });
    await receiver.until(() => receiver.received.length >= 1);
    expect(receiver.types()).toContain("key.created");
    expect(claims.count).toBeGreaterThan(before);
    // Sent and recorded: nothing is pending, so it rests again.
    await vi.waitFor(() => expect(k.keyward.dispatcher.idle).toBe(true));
  });

  it("keeps polling where other instances may queue deliveries too", async () => {
    const claims = countClaims(k);
    const services = k.keyward.services;
    const shared = new WebhookDispatcher({
      storage: services.storage,
      pepper: services.pepper,
      clock: services.clock,
      random: (size) => new Uint8Array(size),
      sender: { send: async () => ({ statusCode: 204, error: null }) },
      retry: { baseMs: 1_000, maxMs: 1_000, giveUpAfterMs: 1_000 },
      leaseMs: 10_000,
      pollMs: POLL_MS,
      userAgent: "test",
      onError: (error) => {
        throw error;
      },
    });
    shared.start();
    try {
      await vi.waitFor(() => expect(claims.count).toBeGreaterThanOrEqual(3));
      expect(shared.idle).toBe(false);
    } finally {
      await shared.close();
    }
  });
});
