import { composeSecret } from "@keyward/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject, seedToken } from "../../test/keyward-under-test";

let k: KeywardUnderTest;
const verify = (body: Record<string, unknown>, token?: string) => k.call("POST", "/v1/verify", { body, ...(token ? { token } : {}) });
beforeAll(async () => {
  k = await openKeywardUnderTest();
  await seedProject(k, "billing", ["invoices:read", "invoices:write", "refunds:create"]);
  await seedProject(k, "shipping", ["parcels:read"]);
});
afterAll(async () => {
  await k?.close();
});

describe("POST /v1/verify", () => {
  it("walks a key through the life of issue 2 acceptance 2: verify, scope, rotate, roll back, revoke, audit", async () => {
    const { id, secret: first } = await seedKey(k, { project: "billing", environment: "live", name: "acceptance", scopes: ["invoices:read", "invoices:write"] });
    expect((await verify({ key: first, scopes: ["invoices:read"] })).json()).toMatchObject({ valid: true, code: "VALID", key: { id, expires_at: null } });
    expect((await verify({ key: first, scopes: ["refunds:create"] })).json()).toMatchObject({ valid: false, code: "INSUFFICIENT_SCOPE" });

    const rotated = await k.call("POST", `/v1/keys/${id}/rotate`, { body: { grace_period: "1h" } });
    expect(rotated.statusCode).toBe(200);
    const second = rotated.json().secret as string;
    const graceEnd = new Date(k.clock.read().getTime() + 3_600_000).toISOString();
    expect(rotated.json()).toMatchObject({ key: { version: 2 }, previous: { version: 1, expires_at: graceEnd } });
    expect((await verify({ key: first })).json()).toMatchObject({ code: "VALID", key: { expires_at: graceEnd } });
    expect((await verify({ key: second })).json()).toMatchObject({ code: "VALID", key: { expires_at: null } });

    const rolledBack = await k.call("POST", `/v1/keys/${id}/rollback`);
    expect(rolledBack.statusCode).toBe(200);
    expect(rolledBack.json()).toMatchObject({ version: 1 });
    expect((await verify({ key: first })).json()).toMatchObject({ code: "VALID", key: { expires_at: null } });
    expect((await verify({ key: second })).json()).toMatchObject({ code: "REVOKED", valid: false });

    expect((await k.call("POST", `/v1/keys/${id}/revoke`, { body: {} })).statusCode).toBe(200);
    expect((await verify({ key: first })).json()).toMatchObject({ code: "REVOKED" });

    const audit = await k.call("GET", "/v1/audit?project=billing&limit=100");
    const actions = (audit.json().data as { action: string; target: string }[]).filter((event) => event.target === id).map((event) => event.action);
    expect(actions).toEqual(["key.create", "key.rotate", "key.rollback", "key.revoke"]);
    expect((await k.call("GET", "/v1/audit/verify")).json()).toMatchObject({ ok: true, first_bad: null });
  });

  it("answers NOT_FOUND for a malformed key, a bad checksum and a well-formed unknown key", async () => {
    const { secret } = await seedKey(k, { project: "billing", environment: "test", name: "checksum", scopes: [] });
    const flipped = `${secret.slice(0, 20)}${secret[20] === "A" ? "B" : "A"}${secret.slice(21)}`;
    const unknown = composeSecret("kw_test_", new Uint8Array(32).fill(7));
    for (const key of ["", "hello", flipped, unknown, `${secret}x`]) {
      const answer = await verify({ key });
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toEqual({ valid: false, code: "NOT_FOUND" });
    }
  });

  it("answers EXPIRED once the key's expiry passes, and for an old secret once its grace period ends", async () => {
    const expiresAt = new Date(k.clock.read().getTime() + 86_400_000).toISOString();
    const { id, secret } = await seedKey(k, { project: "billing", environment: "live", name: "expiring", scopes: [], expires_at: expiresAt });
    expect((await verify({ key: secret })).json().code).toBe("VALID");
    const rotated = (await k.call("POST", `/v1/keys/${id}/rotate`, { body: { grace_period: "10m" } })).json();
    k.clock.advance(11 * 60_000);
    expect((await verify({ key: secret })).json().code).toBe("EXPIRED");
    expect((await verify({ key: rotated.secret })).json().code).toBe("VALID");
    k.clock.advance(86_400_000);
    expect((await verify({ key: rotated.secret })).json().code).toBe("EXPIRED");
    expect((await k.call("GET", `/v1/keys/${id}`)).json().status).toBe("expired");
  });

  it("enforces an IPv4 and IPv6 allowlist, failing closed when no IP is given", async () => {
    const { secret } = await seedKey(k, { project: "billing", environment: "live", name: "allowlisted", scopes: [], ip_allowlist: ["10.0.0.0/8", "2001:db8::/32"] });
    const code = async (ip?: string) => (await verify({ key: secret, ...(ip ? { ip } : {}) })).json().code;
    expect(await code("10.1.2.3")).toBe("VALID");
    expect(await code("2001:db8:abcd::1")).toBe("VALID");
    expect(await code("::ffff:10.9.9.9")).toBe("VALID");
    expect(await code("11.0.0.1")).toBe("IP_NOT_ALLOWED");
    expect(await code("2001:db9::1")).toBe("IP_NOT_ALLOWED");
    expect(await code()).toBe("IP_NOT_ALLOWED");
  });

  it("applies the key's rate limit per window and reports what is left", async () => {
    const { secret } = await seedKey(k, { project: "billing", environment: "live", name: "limited", scopes: [], rate_limit: { requests: 2, window: "1m" } });
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push((await verify({ key: secret })).json());
    expect(answers.map((answer) => [answer.code, answer.ratelimit.remaining])).toEqual([["VALID", 1], ["VALID", 0], ["RATE_LIMITED", 0]]);
    expect(answers[2].ratelimit.limit).toBe(2);
    k.clock.advance(60_000);
    expect((await verify({ key: secret })).json().code).toBe("VALID");
  });

  it("sees a revocation on the very next call, and counts every outcome in usage", async () => {
    const { id, secret } = await seedKey(k, { project: "billing", environment: "live", name: "revoked-next", scopes: ["invoices:read"] });
    await verify({ key: secret, ip: "192.0.2.7" });
    await verify({ key: secret, scopes: ["invoices:write"] });
    await k.call("POST", `/v1/keys/${id}/revoke`);
    expect((await verify({ key: secret })).json().code).toBe("REVOKED");
    const usage = (await k.call("GET", `/v1/keys/${id}/usage?granularity=hour`)).json();
    const totals: Record<string, number> = {};
    for (const bucket of usage.buckets) for (const [code, count] of Object.entries(bucket.counts)) totals[code] = (totals[code] ?? 0) + (count as number);
    expect(totals).toEqual({ VALID: 1, INSUFFICIENT_SCOPE: 1, REVOKED: 1 });
    expect(usage.last_used_ip).toBe("192.0.2.7");
    expect(usage.last_used_at).toBe(k.clock.read().toISOString());
  });

  it("requires keys:verify; another project's or environment's key verifies exactly as an unknown one (SPEC §10)", async () => {
    const { secret } = await seedKey(k, { project: "billing", environment: "live", name: "guarded", scopes: [] });
    const reader = await seedToken(k, { name: "reader", scopes: ["keys:read"] });
    const otherProject = await seedToken(k, { name: "shipping-verifier", scopes: ["keys:verify"], project: "shipping" });
    const testOnly = await seedToken(k, { name: "test-verifier", scopes: ["keys:verify"], project: "billing", environment: "test" });
    const verifier = await seedToken(k, { name: "billing-verifier", scopes: ["keys:verify"], project: "billing", environment: "live" });
    expect((await verify({ key: secret }, reader.secret)).statusCode).toBe(403);
    const unknown = composeSecret("kw_live_", new Uint8Array(32).fill(7));
    const unknownAnswer = await verify({ key: unknown }, verifier.secret);
    for (const outsider of [otherProject.secret, testOnly.secret]) {
      const answer = await verify({ key: secret }, outsider);
      expect([answer.statusCode, answer.body]).toEqual([200, unknownAnswer.body]);
    }
    expect(unknownAnswer.json()).toEqual({ valid: false, code: "NOT_FOUND" });
    expect((await verify({ key: secret }, verifier.secret)).json().code).toBe("VALID");
  });

  it("rejects a request that is not well-formed with a 400 naming the field", async () => {
    const answer = await verify({ key: 42, scopes: ["Not A Scope"], ip: "999.1.1.1", extra: true });
    expect(answer.statusCode).toBe(400);
    const fields = (answer.json().error.details as { field: string }[]).map((issue) => issue.field).sort();
    expect(fields).toEqual(["body.extra", "body.ip", "body.key", "body.scopes[0]"]);
  });
});
