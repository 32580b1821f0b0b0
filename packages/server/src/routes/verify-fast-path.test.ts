import { composeSecret, hasValidChecksum, KEY_SECRET_PATTERN, keySecretPrefix } from "@keyward/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject, seedToken } from "../../test/keyward-under-test";
import { listen } from "../server";

/**
 * The same verify requests sent over a socket (where the fast path answers what it can) and
 * through `app.inject` (always the regular route) must get the same answers and leave the same
 * audit trail.
 */
let k: KeywardUnderTest;
let url: string;
const secrets: Record<string, string> = {};
const tokens: Record<string, string> = {};

beforeAll(async () => {
  k = await openKeywardUnderTest();
  url = (await listen(k.keyward, { host: "127.0.0.1", port: 0 })).url;
  await seedProject(k, "alpha", ["a:read", "a:write"]);
  await seedProject(k, "beta", []);
  secrets.valid = (await seedKey(k, { project: "alpha", environment: "live", name: "valid", scopes: ["a:read"], rate_limit: { requests: 1000, window: "1h" } })).secret;
  const revoked = await seedKey(k, { project: "alpha", environment: "live", name: "revoked", scopes: [] });
  await k.call("POST", `/v1/keys/${revoked.id}/revoke`);
  secrets.revoked = revoked.secret;
  tokens.verifier = (await seedToken(k, { name: "verifier", scopes: ["keys:verify"], project: "alpha" })).secret;
  tokens.reader = (await seedToken(k, { name: "reader", scopes: ["keys:read"] })).secret;
  tokens.beta = (await seedToken(k, { name: "beta", scopes: ["keys:verify"], project: "beta" })).secret;
});
afterAll(async () => {
  await k?.close();
});

interface Variant {
  name: string;
  token?: string;
  contentType?: string;
  body: () => string;
}

const json = (value: unknown) => () => JSON.stringify(value);
const mistyped = (secret: string) => {
  const at = 12;
  const changed = `${secret.slice(0, at)}${secret[at] === "A" ? "B" : "A"}${secret.slice(at + 1)}`;
  if (!KEY_SECRET_PATTERN.test(changed) || hasValidChecksum(changed)) throw new Error("the mistyped key must keep its shape and lose its checksum");
  return changed;
};
const variants: Variant[] = [
  { name: "valid", token: "verifier", body: () => JSON.stringify({ key: secrets.valid, scopes: ["a:read"] }) },
  { name: "insufficient scope", token: "verifier", body: () => JSON.stringify({ key: secrets.valid, scopes: ["a:write"] }) },
  { name: "revoked", token: "verifier", body: () => JSON.stringify({ key: secrets.revoked }) },
  { name: "unknown key", token: "verifier", body: json({ key: "kw_live_nothing" }) },
  // One character of a cached key's body changed: its checksum no longer matches.
  { name: "mistyped cached key", token: "verifier", body: () => JSON.stringify({ key: mistyped(secrets.valid ?? "") }) },
  { name: "made-up key with a right checksum", token: "verifier", body: () => JSON.stringify({ key: composeSecret(keySecretPrefix("live"), new Uint8Array(32).fill(9)) }) },
  { name: "malformed JSON", token: "verifier", body: () => '{"key": ' },
  { name: "unknown field", token: "verifier", body: json({ key: "x", extra: 1 }) },
  { name: "prototype poisoning", token: "verifier", body: () => '{"key": "x", "__proto__": {"admin": true}}' },
  { name: "JSON that is not an object", token: "verifier", body: () => "[1, 2]" },
  { name: "no token", body: json({ key: "x" }) },
  { name: "token without keys:verify", token: "reader", body: json({ key: "x" }) },
  { name: "another project's token", token: "beta", body: () => JSON.stringify({ key: secrets.valid }) },
  { name: "text body", token: "verifier", contentType: "text/plain", body: () => "key" },
  { name: "huge body", token: "verifier", body: () => JSON.stringify({ key: "x".repeat(70 * 1024) }) },
];

async function auditLength(): Promise<number> {
  return (await k.keyward.services.storage.database.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_events"))[0]?.n ?? 0;
}

function comparable(status: number, body: string) {
  const parsed = JSON.parse(body);
  if (parsed.error) parsed.error.request_id = "…";
  if (parsed.ratelimit) parsed.ratelimit.remaining = "…";
  return { status, body: parsed };
}

describe("POST /v1/verify over a socket and through the regular route", () => {
  it.each(variants)("$name", async (variant) => {
    const headers: Record<string, string> = { "content-type": variant.contentType ?? "application/json" };
    if (variant.token) headers.authorization = `Bearer ${tokens[variant.token]}`;
    const payload = variant.body();

    const auditBefore = await auditLength();
    const viaSocket = await fetch(`${url}/v1/verify`, { method: "POST", headers, body: payload });
    const socketAnswer = comparable(viaSocket.status, await viaSocket.text());
    expect(viaSocket.headers.get("x-request-id")).toBeTruthy();
    const auditAfterSocket = await auditLength();

    const viaInject = await k.inject({ method: "POST", url: "/v1/verify", headers, payload });
    const injectAnswer = comparable(viaInject.statusCode, viaInject.body);
    const auditAfterInject = await auditLength();

    expect(socketAnswer).toEqual(injectAnswer);
    expect(auditAfterSocket - auditBefore).toBe(auditAfterInject - auditAfterSocket);
  });
});

describe("POST /v1/verify over a socket, from memory", () => {
  const verify = async (body: unknown) => {
    const answer = await fetch(`${url}/v1/verify`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${tokens.verifier}` }, body: JSON.stringify(body) });
    return (await answer.json()) as { code: string };
  };

  it("answers a changed key as it is now, not as its answer was first written", async () => {
    const { id, secret } = await seedKey(k, { project: "alpha", environment: "live", name: "before", scopes: ["a:read"], metadata: { tier: "free" } });
    const first = await verify({ key: secret, scopes: ["a:read"] });
    expect(first).toMatchObject({ code: "VALID", key: { name: "before", metadata: { tier: "free" } } });
    expect(await verify({ key: secret, scopes: ["a:read"] })).toEqual(first);
    expect((await k.call("PATCH", `/v1/keys/${id}`, { body: { name: "after", metadata: { tier: "paid" } } })).statusCode).toBe(200);
    // The first answer after the change reads the key again; the next ones come from memory.
    for (let i = 0; i < 2; i += 1) expect(await verify({ key: secret, scopes: ["a:read"] })).toMatchObject({ code: "VALID", key: { name: "after", metadata: { tier: "paid" } } });
    expect(await verify({ key: secret, scopes: ["a:write"] })).toMatchObject({ code: "INSUFFICIENT_SCOPE", valid: false, key: { name: "after" } });
    await k.call("POST", `/v1/keys/${id}/revoke`);
    expect(await verify({ key: secret })).toMatchObject({ code: "REVOKED", valid: false });
  });

  it("computes a secret's HMAC once while its entry is cached, and again after a change to its key", async () => {
    const { id, secret } = await seedKey(k, { project: "alpha", environment: "live", name: "remembered", scopes: [] });
    const { pepper } = k.keyward.services;
    const digest = pepper.digest.bind(pepper);
    let computed = 0;
    pepper.digest = (text) => {
      if (text === secret) computed += 1;
      return digest(text);
    };
    try {
      for (let i = 0; i < 2; i += 1) expect((await verify({ key: secret })).code).toBe("VALID");
      const settled = computed;
      for (let i = 0; i < 5; i += 1) expect((await verify({ key: secret })).code).toBe("VALID");
      expect(computed).toBe(settled);
      await k.call("POST", `/v1/keys/${id}/revoke`);
      expect((await verify({ key: secret })).code).toBe("REVOKED");
      expect(computed).toBeGreaterThan(settled);
    } finally {
      pepper.digest = digest;
    }
  });

  it("counts its answers in /metrics exactly once per request, by code", async () => {
    const { secret } = await seedKey(k, { project: "alpha", environment: "live", name: "counted", scopes: [] });
    const series = async () => {
      const text = (await k.call("GET", "/metrics", { token: null })).body;
      const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
      return {
        valid: value(/^keyward_verifications_total\{code="VALID"\} (\d+)$/m),
        notFound: value(/^keyward_verifications_total\{code="NOT_FOUND"\} (\d+)$/m),
        answered: value(/^keyward_http_requests_total\{method="POST",route="\/v1\/verify",status="200"\} (\d+)$/m),
        timed: value(/^keyward_http_request_duration_seconds_count\{method="POST",route="\/v1\/verify"\} (\d+)$/m),
        timedInf: value(/^keyward_http_request_duration_seconds_bucket\{le="\+Inf",method="POST",route="\/v1\/verify"\} (\d+)$/m),
      };
    };
    const before = await series();
    for (let i = 0; i < 3; i += 1) expect((await verify({ key: secret })).code).toBe("VALID");
    expect((await verify({ key: `kw_live_${"0".repeat(49)}` })).code).toBe("NOT_FOUND");
    const after = await series();
    expect([after.valid - before.valid, after.notFound - before.notFound, after.answered - before.answered]).toEqual([3, 1, 4]);
    // Each answer's latency is in the histogram once too.
    expect([after.timed - before.timed, after.timedInf - before.timedInf]).toEqual([4, 4]);
    // A second read adds nothing: the tallies went into the series once.
    expect(await series()).toEqual(after);
  });
});
