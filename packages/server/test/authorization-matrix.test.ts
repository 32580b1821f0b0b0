import { routes } from "@keyward/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject, seedToken } from "./keyward-under-test";

/**
 * SPEC §9: every endpoint × every kind of bad token → 401 or 403, each with an audit event.
 * Issue 2 acceptance 4: another project's token, the other environment's token and a token
 * without the needed scope are each refused with 403.
 */
let k: KeywardUnderTest;
let keyId: string;
let keySecret: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  k = await openKeywardUnderTest();
  await seedProject(k, "alpha", ["a:read"]);
  await seedProject(k, "beta", ["b:read"]);
  ({ id: keyId, secret: keySecret } = await seedKey(k, { project: "alpha", environment: "live", name: "target", scopes: ["a:read"] }));
  const revoked = await seedToken(k, { name: "revoked", scopes: ["admin"] });
  await k.call("DELETE", `/v1/tokens/${revoked.id}`);
  tokens.revoked = revoked.secret;
  tokens.expired = (await seedToken(k, { name: "expired", scopes: ["admin"], expires_at: new Date(k.clock.read().getTime() + 1000).toISOString() })).secret;
  tokens.audit = (await seedToken(k, { name: "auditor", scopes: ["audit:read"] })).secret;
  const everything = ["projects:write", "scopes:write", "keys:read", "keys:write", "keys:rotate", "keys:revoke", "keys:verify", "audit:read", "webhooks:write"];
  tokens.otherProject = (await seedToken(k, { name: "beta-all", scopes: everything, project: "beta" })).secret;
  tokens.otherEnvironment = (await seedToken(k, { name: "alpha-test", scopes: everything, project: "alpha", environment: "test" })).secret;
  k.clock.advance(2000);
});
afterAll(async () => {
  await k?.close();
});

interface Case {
  route: keyof typeof routes;
  url: () => string;
  body?: () => unknown;
  /** Whether a project-bound token for another project / environment must be refused. */
  bound: "project" | "project+environment" | "none";
}

const cases: Case[] = [
  { route: "createProject", url: () => "/v1/projects", body: () => ({ name: "gamma" }), bound: "project" },
  { route: "listProjects", url: () => "/v1/projects", bound: "none" },
  { route: "getProject", url: () => "/v1/projects/alpha", bound: "project" },
  { route: "deleteProject", url: () => "/v1/projects/alpha", bound: "project" },
  { route: "putScope", url: () => "/v1/projects/alpha/scopes/a:write", body: () => ({}), bound: "project" },
  { route: "listScopes", url: () => "/v1/projects/alpha/scopes", bound: "project" },
  { route: "deleteScope", url: () => "/v1/projects/alpha/scopes/a:read", bound: "project" },
  { route: "createKey", url: () => "/v1/keys", body: () => ({ project: "alpha", environment: "live", name: "new", scopes: [] }), bound: "project+environment" },
  { route: "listKeys", url: () => "/v1/keys?project=alpha&environment=live", bound: "project+environment" },
  { route: "getKey", url: () => `/v1/keys/${keyId}`, bound: "project+environment" },
  { route: "updateKey", url: () => `/v1/keys/${keyId}`, body: () => ({ metadata: { x: "y" } }), bound: "project+environment" },
  { route: "rotateKey", url: () => `/v1/keys/${keyId}/rotate`, body: () => ({}), bound: "project+environment" },
  { route: "rollbackKey", url: () => `/v1/keys/${keyId}/rollback`, body: () => ({}), bound: "project+environment" },
  { route: "revokeKey", url: () => `/v1/keys/${keyId}/revoke`, body: () => ({}), bound: "project+environment" },
  { route: "deleteKey", url: () => `/v1/keys/${keyId}`, bound: "project+environment" },
  { route: "getKeyUsage", url: () => `/v1/keys/${keyId}/usage`, bound: "project+environment" },
  { route: "verifyKey", url: () => "/v1/verify", body: () => ({ key: keySecret }), bound: "project+environment" },
  { route: "createToken", url: () => "/v1/tokens", body: () => ({ name: "t", scopes: ["keys:read"] }), bound: "none" },
  { route: "listTokens", url: () => "/v1/tokens", bound: "none" },
  { route: "deleteToken", url: () => "/v1/tokens/tok_00000000000000000000", bound: "none" },
  { route: "listAudit", url: () => "/v1/audit?project=alpha", bound: "project" },
  { route: "verifyAudit", url: () => "/v1/audit/verify", bound: "none" },
  { route: "exportAudit", url: () => "/v1/audit/export", bound: "none" },
  { route: "createAuditCheckpoint", url: () => "/v1/audit/checkpoints", body: () => ({}), bound: "none" },
  { route: "getProjectPolicy", url: () => "/v1/projects/alpha/policy", bound: "project" },
  { route: "putProjectPolicy", url: () => "/v1/projects/alpha/policy", body: () => ({ live: { exposure: "notify" } }), bound: "project" },
  { route: "createWebhook", url: () => "/v1/webhooks", body: () => ({ url: "https://hooks.example.com/x", events: ["key.created"], project: "alpha" }), bound: "project" },
  // A webhook outside a bound token's binding answers 404 like a missing one (SPEC §10), so these are "none" here.
  { route: "listWebhooks", url: () => "/v1/webhooks", bound: "none" },
  { route: "getWebhook", url: () => "/v1/webhooks/whk_00000000000000000000", bound: "none" },
  { route: "deleteWebhook", url: () => "/v1/webhooks/whk_00000000000000000000", bound: "none" },
  { route: "listWebhookDeliveries", url: () => "/v1/webhooks/whk_00000000000000000000/deliveries", bound: "none" },
];

async function auditCount(action: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: { data: unknown[]; next_cursor: string | null } = (
      await k.call("GET", `/v1/audit?action=${action}&limit=100${cursor ? `&cursor=${cursor}` : ""}`)
    ).json();
    count += page.data.length;
    cursor = page.next_cursor;
  } while (cursor);
  return count;
}

async function expectRefused(c: Case, token: string | null, status: 401 | 403, authorization?: string) {
  const action = status === 401 ? "auth.failed" : "auth.forbidden";
  const before = await auditCount(action);
  const route = routes[c.route];
  const answer = await k.call(route.method, c.url(), {
    token,
    ...(c.body ? { body: c.body() } : {}),
    ...(authorization ? { headers: { authorization } } : {}),
  });
  expect(answer.statusCode, `${c.route} ${answer.body}`).toBe(status);
  expect(answer.json().error.code).toBe(status === 401 ? "UNAUTHORIZED" : "FORBIDDEN");
  expect(await auditCount(action)).toBe(before + 1);
}

describe.each(cases)("$route", (c) => {
  it("no token → 401", () => expectRefused(c, null, 401));
  it("a token this server never issued → 401", () => expectRefused(c, null, 401, "Bearer kwm_00000000000000000000000000000000000000000000000000000"));
  it("a revoked token → 401", () => expectRefused(c, tokens.revoked as string, 401));
  it("an expired token → 401", () => expectRefused(c, tokens.expired as string, 401));
  // Routes open to any valid token (reading projects and scopes) have no scope to lack.
  if (routes[c.route].permission !== "authenticated") {
    it("a token without the scope → 403", async () => {
      if (routes[c.route].permission !== "audit:read") return expectRefused(c, tokens.audit as string, 403);
      const bare = await seedToken(k, { name: `bare-${c.route}`, scopes: ["keys:verify"] });
      return expectRefused(c, bare.secret, 403);
    });
  }
  if (c.bound !== "none") {
    it("another project's token → 403", () => expectRefused(c, tokens.otherProject as string, 403));
  }
  if (c.bound === "project+environment") {
    it("the other environment's token → 403", () => expectRefused(c, tokens.otherEnvironment as string, 403));
  }
});

describe("what bound tokens can see", () => {
  it("lists only their own project's objects", async () => {
    const projects = (await k.call("GET", "/v1/projects", { token: tokens.otherProject })).json().data.map((p: { name: string }) => p.name);
    expect(projects).toEqual(["beta"]);
    expect((await k.call("GET", "/v1/keys", { token: tokens.otherProject })).json().data).toEqual([]);
    expect((await k.call("GET", "/v1/keys", { token: tokens.otherEnvironment })).json().data).toEqual([]);
  });

  it("cannot mint a token with more than they hold", async () => {
    const writer = await seedToken(k, { name: "token-writer", scopes: ["tokens:write", "keys:read"], project: "alpha" });
    const wider = await k.call("POST", "/v1/tokens", { token: writer.secret, body: { name: "wider", scopes: ["admin"] } });
    expect(wider.statusCode).toBe(403);
    const elsewhere = await k.call("POST", "/v1/tokens", { token: writer.secret, body: { name: "elsewhere", scopes: ["keys:read"], project: "beta" } });
    expect(elsewhere.statusCode).toBe(403);
    const narrower = await k.call("POST", "/v1/tokens", { token: writer.secret, body: { name: "narrower", scopes: ["keys:read"] } });
    expect(narrower.statusCode).toBe(201);
    expect(narrower.json().token).toMatchObject({ project: "alpha", scopes: ["keys:read"] });
  });
});
