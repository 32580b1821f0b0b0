import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSigningKey, OidcIssuer } from "../../../test/oidc-issuer/oidc-issuer";
import { type KeywardUnderTest, openKeywardUnderTest, seedProject, seedToken, TestClock } from "./keyward-under-test";

// SPEC §14 token exchange against a local OIDC issuer (acceptance 2 and 3): one server trusting
// issuers `trusted` and `other`; `stranger` is not on its allowlist.

const AUDIENCE = "https://keyward.test";
const clock = new TestClock();
let trusted: OidcIssuer;
let other: OidcIssuer;
let stranger: OidcIssuer;
let k: KeywardUnderTest;

const deployPolicy = () => ({
  issuer: trusted.url,
  audience: AUDIENCE,
  claims: { repository_id: "74", ref: "refs/heads/main", environment: "production" },
  scopes: ["keys:read", "keys:rotate"],
  project: "billing",
  environment: "live",
  ttl: "10m",
});

beforeAll(async () => {
  [trusted, other, stranger] = await Promise.all([OidcIssuer.start({ now: clock.read }), OidcIssuer.start({ now: clock.read }), OidcIssuer.start({ now: clock.read })]);
  k = await openKeywardUnderTest({ clock, oidcIssuers: [trusted.url, other.url] });
  await seedProject(k, "billing", []);
  const put = await k.call("PUT", "/v1/trust-policies/deploy", { body: deployPolicy() });
  if (put.statusCode !== 201) throw new Error(`seeding the policy: ${put.body}`);
});

afterAll(async () => {
  await k?.close();
  await Promise.all([trusted, other, stranger].map((issuer) => issuer?.stop()));
});

function exchange(target: KeywardUnderTest, jwt: string): Promise<LightMyRequestResponse> {
  return target.call("POST", "/v1/tokens/exchange", { token: null, body: { jwt } });
}

function signed(claims: Record<string, unknown> = {}, options: Parameters<OidcIssuer["sign"]>[0] = {}): Promise<string> {
  return trusted.sign({ ...options, claims: { aud: AUDIENCE, ...claims } });
}

/** The audit event the request that got `response` wrote. */
async function auditOf(target: KeywardUnderTest, response: LightMyRequestResponse, action: string) {
  const requestId = response.headers["x-request-id"];
  let cursor: string | null = null;
  do {
    const page: { data: { request_id: string }[]; next_cursor: string | null } = (await target.call("GET", `/v1/audit?action=${action}&limit=100${cursor ? `&cursor=${cursor}` : ""}`)).json();
    const event = page.data.find((candidate) => candidate.request_id === requestId) as Record<string, any> | undefined;
    if (event) return event;
    cursor = page.next_cursor;
  } while (cursor);
  throw new Error(`no ${action} event for request ${String(requestId)}`);
}

/** 401 that names no policy, and an audit event with the reason and who the token says it is. */
async function expectRefused(response: LightMyRequestResponse, reason: string, jwt: string) {
  expect(response.statusCode, response.body).toBe(401);
  expect(response.json().error.code).toBe("UNAUTHORIZED");
  expect(response.body).not.toContain("deploy");
  const event = await auditOf(k, response, "token.exchange_refused");
  expect(event.details.reason).toBe(reason);
  expect(JSON.stringify(event)).not.toContain(jwt);
  expect(JSON.stringify(event)).not.toContain(jwt.split(".")[2]);
  return event;
}

describe("POST /v1/tokens/exchange", () => {
  it("mints a bound, short-lived token for a matching ID token and audits the policy, sub, repository and run", async () => {
    const jwt = await signed({}, { expiresIn: 3600 });
    const response = await exchange(k, jwt);
    expect(response.statusCode, response.body).toBe(201);
    const { token, secret, expires_at } = response.json();
    expect(secret).toMatch(/^kwm_/);
    expect(token).toMatchObject({ name: "deploy", scopes: ["keys:read", "keys:rotate"], project: "billing", environment: "live" });
    expect(Date.parse(expires_at)).toBe(clock.read().getTime() + 10 * 60_000);
    expect(token.expires_at).toBe(expires_at);
    expect((await k.call("GET", "/v1/keys?project=billing", { token: secret })).statusCode).toBe(200);
    // Its authority is the policy's: no token creation, no other project.
    expect((await k.call("POST", "/v1/tokens", { token: secret, body: { name: "x", scopes: ["keys:read"] } })).statusCode).toBe(403);

    const event = await auditOf(k, response, "token.exchange");
    expect(event).toMatchObject({ actor: null, target: token.id, project: "billing", environment: "live" });
    expect(event.details).toMatchObject({ policy: "deploy", sub: "repo:acme/api:environment:production", repository: "acme/api", run_id: "4242", issuer: trusted.url });
    expect(JSON.stringify(event)).not.toContain(jwt.split(".")[2]);
    expect(JSON.stringify(event)).not.toContain(secret);

    clock.advance(10 * 60_000 + 1_000);
    expect((await k.call("GET", "/v1/keys?project=billing", { token: secret })).statusCode).toBe(401);
  });

  it("never mints a token that outlives the ID token", async () => {
    const response = await exchange(k, await signed({}, { expiresIn: 90 }));
    expect(response.statusCode, response.body).toBe(201);
    expect(Date.parse(response.json().expires_at)).toBe(Math.floor(clock.read().getTime() / 1000) * 1000 + 90_000);
  });

  it("refuses a token whose signature does not verify", async () => {
    const forged = await newSigningKey();
    const jwt = await signed({}, { key: forged, kid: trusted.currentKey.kid });
    await expectRefused(await exchange(k, jwt), "bad_signature", jwt);
  });

  it("refuses a token signed by a key the issuer does not publish, after fetching the key set again", async () => {
    const fetchesBefore = trusted.jwksFetches;
    const jwt = await signed({}, { key: await newSigningKey() });
    await expectRefused(await exchange(k, jwt), "unknown_key", jwt);
    expect(trusted.jwksFetches).toBeGreaterThan(fetchesBefore);
  });

  it("refuses a valid token of another trusted issuer that no policy names (wrong iss)", async () => {
    const jwt = await other.sign({ claims: { aud: AUDIENCE } });
    const event = await expectRefused(await exchange(k, jwt), "no_matching_policy", jwt);
    expect(event.details).toMatchObject({ issuer: other.url, claims_verified: true });
  });

  it("refuses a token that claims the trusted issuer but is signed by another one", async () => {
    const jwt = await other.sign({ claims: { aud: AUDIENCE, iss: trusted.url } });
    await expectRefused(await exchange(k, jwt), "unknown_key", jwt);
  });

  it("refuses an issuer that is not on the allowlist without contacting it", async () => {
    const jwt = await stranger.sign({ claims: { aud: AUDIENCE } });
    const event = await expectRefused(await exchange(k, jwt), "issuer_not_allowed", jwt);
    expect(event.details.claims_verified).toBe(false);
    expect(stranger.jwksFetches).toBe(0);
  });

  it("refuses the wrong audience", async () => {
    const jwt = await signed({ aud: "https://elsewhere.example" });
    await expectRefused(await exchange(k, jwt), "no_matching_policy", jwt);
  });

  it("refuses an expired token (beyond the 60 s leeway) and one not valid yet", async () => {
    const expired = await signed({}, { issuedIn: -400, expiresIn: 300 });
    await expectRefused(await exchange(k, expired), "expired", expired);
    const early = await signed({}, { issuedIn: 120 });
    await expectRefused(await exchange(k, early), "not_yet_valid", early);
    // Within the leeway a clock a little behind the issuer's is fine.
    expect((await exchange(k, await signed({}, { issuedIn: 30 }))).statusCode).toBe(201);
  });

  it.each([
    ["another repository id", { repository_id: "75" }],
    ["another ref", { ref: "refs/heads/feature" }],
    ["another environment", { environment: "staging" }],
    ["a missing claim", { environment: undefined }],
  ])("refuses %s", async (_label, claims) => {
    const jwt = await signed(claims);
    await expectRefused(await exchange(k, jwt), "no_matching_policy", jwt);
  });

  it("accepts each ID token once: a replayed jti is refused", async () => {
    const jwt = await signed();
    expect((await exchange(k, jwt)).statusCode).toBe(201);
    const event = await expectRefused(await exchange(k, jwt), "replayed", jwt);
    expect(event.details.policy).toBe("deploy");
  });

  it("follows a key rotation at the issuer without a restart", async () => {
    expect((await exchange(k, await signed())).statusCode).toBe(201);
    const previousKid = trusted.currentKey.kid;
    await trusted.rotateKeys();
    const fetchesBefore = trusted.jwksFetches;
    const rotated = await signed();
    const response = await exchange(k, rotated);
    expect(response.statusCode, response.body).toBe(201);
    expect(trusted.jwksFetches).toBe(fetchesBefore + 1);
    expect(trusted.currentKey.kid).not.toBe(previousKid);
  });

  it("counts refused exchanges toward the per-IP failed-authentication limit", async () => {
    const strict = await openKeywardUnderTest({ clock, oidcIssuers: [trusted.url], failedAuthMax: 3 });
    try {
      const statuses = [];
      for (let attempt = 0; attempt < 5; attempt += 1) statuses.push((await exchange(strict, await signed())).statusCode);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await strict.close();
    }
  });

  it("refuses a body that is not a token with 400 naming the field", async () => {
    const response = await k.call("POST", "/v1/tokens/exchange", { token: null, body: { jwt: 42 } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details[0].field).toBe("body.jwt");
  });
});

describe("a replayed jti across a restart", () => {
  it("is refused by the next server on the same data directory, and forgotten once expired", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "keyward-exchange-"));
    const restartClock = new TestClock();
    const issuer = await OidcIssuer.start({ now: restartClock.read });
    try {
      const first = await openKeywardUnderTest({ dataDir, clock: restartClock, oidcIssuers: [issuer.url] });
      const put = await first.call("PUT", "/v1/trust-policies/deploy", { body: { ...deployPolicy(), issuer: issuer.url, project: undefined, environment: undefined } });
      expect(put.statusCode, put.body).toBe(201);
      const jwt = await issuer.sign({ claims: { aud: AUDIENCE } });
      expect((await exchange(first, jwt)).statusCode).toBe(201);
      await first.close();

      const second = await openKeywardUnderTest({ dataDir, clock: restartClock, oidcIssuers: [issuer.url] });
      try {
        const replay = await exchange(second, jwt);
        expect(replay.statusCode).toBe(401);
        expect(replay.json().error.message).toBe("this ID token was already exchanged");
        const stores = second.keyward.services.storage.stores.trustPolicies;
        expect(await stores.pruneExchangedBefore(restartClock.read())).toBe(0);
        restartClock.advance(10 * 60_000);
        expect(await stores.pruneExchangedBefore(restartClock.read())).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      await issuer.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("trust policies", () => {
  it("PUT creates (201) then replaces (200); GET, list and DELETE follow", async () => {
    const body = { ...deployPolicy(), claims: { repository_owner_id: "65" } };
    expect((await k.call("PUT", "/v1/trust-policies/owner", { body })).statusCode).toBe(201);
    const replaced = await k.call("PUT", "/v1/trust-policies/owner", { body: { ...body, ttl: undefined, scopes: ["keys:read"] } });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ name: "owner", ttl: "15m", scopes: ["keys:read"], claims: { repository_owner_id: "65" } });
    expect((await k.call("GET", "/v1/trust-policies/owner")).json().issuer).toBe(trusted.url);
    expect((await k.call("GET", "/v1/trust-policies")).json().data.map((policy: { name: string }) => policy.name)).toEqual(["deploy", "owner"]);
    expect((await k.call("DELETE", "/v1/trust-policies/owner")).statusCode).toBe(204);
    expect((await k.call("GET", "/v1/trust-policies/owner")).statusCode).toBe(404);
  });

  it.each([
    ["claims without repository_id, repository_owner_id or sub", { claims: { repository: "acme/api" } }, "body.claims"],
    ["a registered claim in the claim map", { claims: { sub: "repo:acme/api:ref:refs/heads/main", aud: "x" } }, "body.claims.aud"],
    ["a TTL over 1h", { ttl: "2h" }, "body.ttl"],
    ["an issuer the server does not trust", { issuer: "https://issuer.example" }, "body.issuer"],
  ])("refuses %s with 400 naming the field", async (_label, change, field) => {
    const response = await k.call("PUT", "/v1/trust-policies/bad", { body: { ...deployPolicy(), ...change } });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.details.map((issue: { field: string }) => issue.field)).toContain(field);
  });

  it("refuses with 403 (audited) a policy whose scopes exceed its creator's, or whose binding is wider", async () => {
    const creator = await seedToken(k, { name: "policy-writer", scopes: ["keys:read", "tokens:write"], project: "billing", environment: "live" });
    const wider = await k.call("PUT", "/v1/trust-policies/wider", { token: creator.secret, body: deployPolicy() });
    expect(wider.statusCode).toBe(403);
    expect(wider.json().error.message).toContain("keys:rotate");
    const event = await auditOf(k, wider, "auth.forbidden");
    expect(event.actor).toBe(creator.id);
    const otherEnvironment = await k.call("PUT", "/v1/trust-policies/wider", { token: creator.secret, body: { ...deployPolicy(), scopes: ["keys:read"], environment: "test" } });
    expect(otherEnvironment.statusCode).toBe(403);
    expect((await k.call("GET", "/v1/trust-policies/wider")).statusCode).toBe(404);

    const inside = await k.call("PUT", "/v1/trust-policies/narrow", { token: creator.secret, body: { ...deployPolicy(), scopes: ["keys:read"], project: undefined, environment: undefined } });
    expect(inside.statusCode, inside.body).toBe(201);
    expect(inside.json()).toMatchObject({ project: "billing", environment: "live", created_by: creator.id });
    // The creator sees its own policy but not the root's wider one.
    const visible = (await k.call("GET", "/v1/trust-policies", { token: creator.secret })).json().data.map((policy: { name: string }) => policy.name);
    expect(visible).toEqual(["narrow"]);
    expect((await k.call("GET", "/v1/trust-policies/deploy", { token: creator.secret })).statusCode).toBe(404);
    expect((await k.call("DELETE", "/v1/trust-policies/deploy", { token: creator.secret })).statusCode).toBe(404);
  });
});
