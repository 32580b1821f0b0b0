import type { RateLimit } from "@keyward/contract";
import { describe, expect, it } from "vitest";
import { SharedRateLimiter } from "./shared-rate-limiter";

const limit: RateLimit = { requests: 100, window: "1m" };
const now = Date.UTC(2026, 0, 1, 12, 0, 30);

/** One cluster-wide counter, as the rate_limit_windows table keeps it; each claim resolves later, as a round trip does. */
function sharedCounter() {
  const counts = new Map<string, number>();
  let claims = 0;
  const claim = async (keyId: string, windowStart: number, amount: number) => {
    claims += 1;
    await new Promise((resolve) => setImmediate(resolve));
    const id = `${keyId}@${windowStart}`;
    const used = (counts.get(id) ?? 0) + amount;
    counts.set(id, used);
    return used;
  };
  return { claim, claims: () => claims };
}

async function verify(limiter: SharedRateLimiter, keyId: string, at = now): Promise<boolean> {
  return (await limiter.takeAwaited(keyId, limit, at)).allowed;
}

describe("SharedRateLimiter", () => {
  it("holds one limit across two instances, requests interleaved and concurrent", async () => {
    const counter = sharedCounter();
    const instances = [new SharedRateLimiter(counter.claim), new SharedRateLimiter(counter.claim)];
    const outcomes = await Promise.all([...Array(400)].map((_, i) => verify(instances[i % 2] as SharedRateLimiter, "key_a")));
    const allowed = outcomes.filter(Boolean).length;
    expect(allowed).toBeLessThanOrEqual(100);
    expect(allowed).toBeGreaterThanOrEqual(90);
    // Batched: far fewer round trips than verifications.
    expect(counter.claims()).toBeLessThan(200);
  });

  it("starts afresh in the next window, and answers the reset and what is left", async () => {
    const counter = sharedCounter();
    const limiter = new SharedRateLimiter(counter.claim);
    for (let i = 0; i < 100; i += 1) await verify(limiter, "key_b");
    expect(await verify(limiter, "key_b")).toBe(false);
    const outcome = limiter.take("key_b", limit, now);
    expect(outcome).toMatchObject({ allowed: false, remaining: 0, reset: Date.UTC(2026, 0, 1, 12, 1, 0) });
    expect(await verify(limiter, "key_b", now + 60_000)).toBe(true);
  });

  it("counts in this process while the database does not answer", async () => {
    const limiter = new SharedRateLimiter(async () => {
      throw new Error("database unavailable");
    });
    const outcomes = [];
    for (let i = 0; i < 120; i += 1) outcomes.push(await verify(limiter, "key_c"));
    expect(outcomes.filter(Boolean).length).toBe(100);
  });
});
