import { afterEach, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest } from "./keyward-under-test";

/** SPEC §10: the failed-authentication limit, the client address it counts, and its audit events. */
let k: KeywardUnderTest | undefined;
afterEach(async () => {
  await k?.close();
  k = undefined;
});

const WRONG = `kwm_${"0".repeat(49)}`;
const attempt = (under: KeywardUnderTest, options: { token?: string | null; ip?: string; forwardedFor?: string } = {}) =>
  under.inject({
    method: "GET",
    url: "/v1/keys",
    remoteAddress: options.ip ?? "198.51.100.1",
    headers: {
      ...(options.token === null ? {} : { authorization: `Bearer ${options.token ?? WRONG}` }),
      ...(options.forwardedFor ? { "x-forwarded-for": options.forwardedFor } : {}),
    },
  });

async function failedAuthEvents(under: KeywardUnderTest) {
  return (await under.keyward.services.storage.stores.audit.list({ action: "auth.failed", limit: 100 })).map((event) => ({
    ip: event.sourceIp,
    count: (event.details as { count: number }).count,
    reasons: (event.details as { reasons: Record<string, number> }).reasons,
  }));
}

describe("the failed-authentication limit", () => {
  it("never blocks a request with a valid token, the root token included (30 failures, the default limit)", async () => {
    k = await openKeywardUnderTest({ failedAuthMax: 30 });
    for (let i = 0; i < 30; i += 1) expect((await attempt(k)).statusCode).toBe(401);
    expect((await attempt(k)).statusCode).toBe(429);
    expect((await attempt(k, { token: null })).statusCode).toBe(429);
    expect((await attempt(k, { token: k.rootToken })).statusCode).toBe(200);
    // Counted per client address: another address is not affected.
    expect((await attempt(k, { ip: "198.51.100.2" })).statusCode).toBe(401);
  });

  it("counts the socket address, ignoring X-Forwarded-For unless the peer is a trusted proxy", async () => {
    k = await openKeywardUnderTest({ failedAuthMax: 2 });
    for (let i = 0; i < 2; i += 1) await attempt(k, { forwardedFor: `203.0.113.${i + 1}` });
    expect((await attempt(k, { forwardedFor: "203.0.113.9" })).statusCode).toBe(429);
  });

  it("behind a trusted proxy, counts the right-most untrusted X-Forwarded-For entry", async () => {
    k = await openKeywardUnderTest({ failedAuthMax: 2, trustProxy: ["198.51.100.0/24", "10.0.0.0/8"] });
    // The client may prepend anything; the entry the trusted proxies appended is the client.
    for (let i = 0; i < 2; i += 1) await attempt(k, { forwardedFor: `192.0.2.${i}, 203.0.113.7, 10.1.2.3` });
    expect((await attempt(k, { forwardedFor: "192.0.2.99, 203.0.113.7, 10.1.2.3" })).statusCode).toBe(429);
    expect((await attempt(k, { forwardedFor: "203.0.113.8, 10.1.2.3" })).statusCode).toBe(401);
    // A peer outside the trusted ranges is the client itself, whatever it forwards.
    expect((await attempt(k, { ip: "192.0.2.50", forwardedFor: "203.0.113.7" })).statusCode).toBe(401);
  });
});

describe("failed-authentication audit events", () => {
  it("are one event per client address per minute, with a count", async () => {
    k = await openKeywardUnderTest({ failedAuthMax: 30 });
    const minute = 60_000;
    k.clock.advance(minute - (k.clock.read().getTime() % minute));
    for (let i = 0; i < 40; i += 1) await attempt(k);
    await attempt(k, { token: null });
    await attempt(k, { ip: "198.51.100.2" });
    expect(await failedAuthEvents(k)).toEqual([]);
    k.clock.advance(minute);
    await attempt(k, { ip: "198.51.100.3" });
    expect(await failedAuthEvents(k)).toEqual([
      { ip: "198.51.100.1", count: 41, reasons: { malformed: 30, rate_limited: 11 } },
      { ip: "198.51.100.2", count: 1, reasons: { malformed: 1 } },
    ]);
  });

  it("writes the open minute when the service stops", async () => {
    k = await openKeywardUnderTest();
    await attempt(k);
    await attempt(k);
    await k.keyward.app.close();
    expect(await failedAuthEvents(k)).toEqual([{ ip: "198.51.100.1", count: 2, reasons: { malformed: 2 } }]);
  });
});
