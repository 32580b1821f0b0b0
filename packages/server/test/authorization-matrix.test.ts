import { type ManagementScope, managementScopes, type Route, routes } from "@keyward/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject, seedToken } from "./keyward-under-test";

/**
 * SPEC §9/§10: the authorization matrix, GENERATED from the route table. Every endpoint that takes
 * a token × every binding (project none/same/other × environment none/same/other) × every scope
 * variant (exactly the route's scopes, admin, the route's scopes less each one) × every expiry
 * (never, later, expired), plus no/malformed/unknown/revoked tokens. The expected answer comes from
 * the route's declared `permission` and `target`, through the oracle below (SPEC §10 restated);
 * every refusal must be audited, and an object outside the token's authority must answer exactly
 * as a missing one (404).
 */
const HOME = { project: "alpha", environment: "live" } as const;
const AWAY = { project: "beta", environment: "test" } as const;

type Relation = "none" | "same" | "other";
type Expiry = "never" | "later" | "expired";
interface Authority {
  scopes: readonly ManagementScope[];
  project: string | null;
  environment: "test" | "live" | null;
  expiresAt: number | null;
}

/** What a fixture prepared: the request, and for a listing whether the answer shows the target. */
interface Prepared {
  url: string;
  body?: unknown;
  /** The success status (a scope PUT that creates answers 201). */
  status?: number;
  listed?: (answer: { data: Record<string, unknown>[] }) => boolean | Promise<boolean>;
  /** The token a `token` / `new-token` route acts on, for the oracle. */
  tokenTarget?: Authority;
  /** The route answers a stream that never ends by itself (Server-Sent Events): read its first event, then hang up. */
  stream?: true;
}

let k: KeywardUnderTest;
let serial = 0;
const next = () => (serial += 1);
let targetKey: { id: string; secret: string };
let listedToken: { id: string };
const LISTED_TOKEN: Authority = { scopes: ["tokens:write"], project: HOME.project, environment: HOME.environment, expiresAt: null };

/** A trust policy (SPEC §14) is an authority like a token's: the matrix treats it as one. */
const trustPolicyBody = { issuer: "https://token.actions.githubusercontent.com", audience: "https://keyward.test", claims: { repository_id: "1" } };

const freshKey = (name = `k${next()}`) => seedKey(k, { ...HOME, name, scopes: [] });
const WEBHOOK_URL = "https://93.184.215.14/keyward";
/**
 * The matrix's webhooks listen for an event it never causes (a leak report), so nothing is ever
 * delivered: with `key.created` every key the cases make was sent to every webhook made before it,
 * hundreds of TLS connections to a public address, most of the matrix's time.
 */
const WEBHOOK_EVENTS = ["key.exposed"];
async function freshWebhook(): Promise<string> {
  const created = await k.call("POST", "/v1/webhooks", { body: { url: WEBHOOK_URL, events: WEBHOOK_EVENTS, ...HOME } });
  return (created.json() as { webhook: { id: string } }).webhook.id;
}

/** How each route of the table is exercised on an object that lives in `HOME`. */
const fixtures: Record<string, (home: { project: string }) => Promise<Prepared>> = {
  createProject: async () => ({ url: "/v1/projects", body: { name: `p${next()}` } }),
  listProjects: async () => ({ url: "/v1/projects?limit=100", listed: (a) => a.data.some((p) => p.name === HOME.project) }),
  getProject: async () => ({ url: `/v1/projects/${HOME.project}` }),
  deleteProject: async (home) => ({ url: `/v1/projects/${home.project}` }),
  putScope: async () => ({ url: `/v1/projects/${HOME.project}/scopes/s${next()}`, body: {}, status: 201 }),
  listScopes: async () => ({ url: `/v1/projects/${HOME.project}/scopes` }),
  deleteScope: async () => {
    const scope = `s${next()}`;
    await k.call("PUT", `/v1/projects/${HOME.project}/scopes/${scope}`, { body: {} });
    return { url: `/v1/projects/${HOME.project}/scopes/${scope}` };
  },
  createKey: async () => ({ url: "/v1/keys", body: { ...HOME, name: `k${next()}`, scopes: [] } }),
  listKeys: async () => ({
    url: `/v1/keys?project=${HOME.project}&environment=${HOME.environment}&name=target`,
    listed: (a) => a.data.some((key) => key.id === targetKey.id),
  }),
  getKey: async () => ({ url: `/v1/keys/${targetKey.id}` }),
  updateKey: async () => ({ url: `/v1/keys/${targetKey.id}`, body: { metadata: { touched: String(next()) } } }),
  rotateKey: async () => ({ url: `/v1/keys/${(await freshKey()).id}/rotate`, body: {} }),
  rollbackKey: async () => {
    const { id } = await freshKey();
    await k.call("POST", `/v1/keys/${id}/rotate`, { body: { grace_period: "24h" } });
    return { url: `/v1/keys/${id}/rollback`, body: {} };
  },
  revokeKey: async () => ({ url: `/v1/keys/${(await freshKey()).id}/revoke`, body: {} }),
  deleteKey: async () => ({ url: `/v1/keys/${(await freshKey()).id}` }),
  getKeyUsage: async () => ({ url: `/v1/keys/${targetKey.id}/usage` }),
  verifyKey: async () => ({ url: "/v1/verify", body: { key: targetKey.secret } }),
  // The verifier's routes are listings of what verifies (SPEC §16): outside the binding a key is absent, as it verifies NOT_FOUND.
  getVerifierSnapshot: async () => ({
    url: `/v1/verifier/snapshot?project=${HOME.project}&environment=${HOME.environment}`,
    listed: (a) => (a as unknown as { keys: { id: string }[] }).keys.some((key) => key.id === targetKey.id),
  }),
  streamVerifierEvents: async () => ({
    url: `/v1/verifier/events?project=${HOME.project}&environment=${HOME.environment}`,
    stream: true,
    listed: (a) => (a as unknown as { keys: { id: string }[] }).keys.some((key) => key.id === targetKey.id),
  }),
  reportVerifierUsage: async () => ({
    url: "/v1/verifier/usage",
    body: { reports: [{ key_id: targetKey.id, counts: { VALID: 1 }, last_at: k.clock.read().toISOString() }] },
    listed: (a) => (a as unknown as { accepted: number }).accepted === 1,
  }),
  createToken: async () => ({
    url: "/v1/tokens",
    body: { name: `t${next()}`, scopes: ["tokens:write"], ...HOME },
    tokenTarget: { scopes: ["tokens:write"], ...HOME, expiresAt: null },
  }),
  listTokens: async () => ({ url: "/v1/tokens", listed: (a) => a.data.some((t) => t.id === listedToken.id), tokenTarget: LISTED_TOKEN }),
  deleteToken: async () => {
    const { id } = await seedToken(k, { name: `t${next()}`, scopes: LISTED_TOKEN.scopes, ...HOME });
    return { url: `/v1/tokens/${id}`, tokenTarget: LISTED_TOKEN };
  },
  listAudit: async () => {
    // Its own instant, so `since` finds only what happens from here on.
    k.clock.advance(1_000);
    const since = k.clock.read().toISOString();
    const { id } = await freshKey();
    return { url: `/v1/audit?project=${HOME.project}&since=${since}`, listed: (a) => a.data.some((event) => event.target === id) };
  },
  verifyAudit: async () => ({ url: "/v1/audit/verify" }),
  exportAudit: async () => {
    k.clock.advance(1_000);
    const since = k.clock.read().toISOString();
    const { id } = await freshKey();
    return { url: `/v1/audit/export?since=${since}`, listed: (a) => a.data.some((event) => event.target === id) };
  },
  createAuditCheckpoint: async () => ({ url: "/v1/audit/checkpoints", body: {} }),
  putTrustPolicy: async () => ({
    url: `/v1/trust-policies/tp${next()}`,
    body: { ...trustPolicyBody, scopes: ["tokens:write"], ...HOME },
    status: 201,
    tokenTarget: { scopes: ["tokens:write"], ...HOME, expiresAt: null },
  }),
  listTrustPolicies: async () => ({ url: "/v1/trust-policies", listed: (a) => a.data.some((p) => p.name === "listed-policy"), tokenTarget: LISTED_TOKEN }),
  getTrustPolicy: async () => ({ url: "/v1/trust-policies/listed-policy", tokenTarget: LISTED_TOKEN }),
  deleteTrustPolicy: async () => {
    const name = `tp${next()}`;
    await k.call("PUT", `/v1/trust-policies/${name}`, { body: { ...trustPolicyBody, scopes: LISTED_TOKEN.scopes, ...HOME } });
    return { url: `/v1/trust-policies/${name}`, tokenTarget: LISTED_TOKEN };
  },
  getProjectPolicy: async () => ({ url: `/v1/projects/${HOME.project}/policy` }),
  putProjectPolicy: async () => ({ url: `/v1/projects/${HOME.project}/policy`, body: {} }),
  // A public IP literal: the SSRF guard needs no DNS for it, and nothing is ever delivered here.
  createWebhook: async () => ({ url: "/v1/webhooks", body: { url: WEBHOOK_URL, events: WEBHOOK_EVENTS, ...HOME } }),
  listWebhooks: async () => {
    const id = await freshWebhook();
    return { url: `/v1/webhooks?project=${HOME.project}`, listed: (a) => a.data.some((webhook) => webhook.id === id) };
  },
  getWebhook: async () => ({ url: `/v1/webhooks/${await freshWebhook()}` }),
  deleteWebhook: async () => ({ url: `/v1/webhooks/${await freshWebhook()}` }),
  listWebhookDeliveries: async () => ({ url: `/v1/webhooks/${await freshWebhook()}/deliveries` }),
};

// ---- the oracle: SPEC §10 restated, independently of the server's code -------------------------

const holdsScope = (a: Authority, scope: ManagementScope) => a.scopes.includes("admin") || a.scopes.includes(scope);

function inside(outer: Authority, inner: Authority): boolean {
  const scopes = outer.scopes.includes("admin") || inner.scopes.every((scope) => outer.scopes.includes(scope));
  const project = outer.project === null || outer.project === inner.project;
  const environment = outer.environment === null || outer.environment === inner.environment;
  const expiry = outer.expiresAt === null || (inner.expiresAt !== null && inner.expiresAt <= outer.expiresAt);
  return scopes && project && environment && expiry;
}

type Expected = { status: number; code?: string; listed?: boolean; verification?: string };

function expectedAnswer(route: Route, caller: Authority, expiry: Expiry, home: { project: string }, prepared: Prepared): Expected {
  if (expiry === "expired") return { status: 401, code: "UNAUTHORIZED" };
  if (route.permission !== "public" && !route.permission.every((scope) => holdsScope(caller, scope))) return { status: 403, code: "FORBIDDEN" };
  const seesProject = caller.project === null || caller.project === home.project;
  const seesHome = seesProject && (caller.environment === null || caller.environment === HOME.environment);
  const ok = { status: prepared.status ?? route.status };
  switch (route.target) {
    case "service":
      return caller.project === null ? ok : { status: 403, code: "FORBIDDEN" };
    case "unbound":
      return caller.project === null && caller.environment === null ? ok : { status: 403, code: "FORBIDDEN" };
    case "project-erase":
      if (caller.environment !== null) return { status: 403, code: "FORBIDDEN" };
      return seesProject ? ok : { status: 404, code: "NOT_FOUND" };
    case "project":
      return seesProject ? ok : { status: 404, code: "NOT_FOUND" };
    case "key":
    case "webhook":
      return seesHome ? ok : { status: 404, code: "NOT_FOUND" };
    case "verified-key":
      return { status: 200, verification: seesHome ? "VALID" : "NOT_FOUND" };
    case "new-key":
    case "new-webhook":
      return seesHome ? ok : { status: 403, code: "FORBIDDEN" };
    case "token":
      return inside(caller, prepared.tokenTarget as Authority) ? ok : { status: 404, code: "NOT_FOUND" };
    case "new-token": {
      const wanted = { ...(prepared.tokenTarget as Authority), expiresAt: caller.expiresAt };
      return inside(caller, wanted) ? ok : { status: 403, code: "FORBIDDEN" };
    }
    case "listing": {
      if (route.operationId === "listTokens" || route.operationId === "listTrustPolicies") return { status: 200, listed: inside(caller, prepared.tokenTarget as Authority) };
      return { status: 200, listed: route.operationId === "listProjects" ? seesProject : seesHome };
    }
    default:
      throw new Error(`the matrix has no oracle for target '${route.target}' of ${route.operationId}: add one`);
  }
}

// ---- the generated cases ---------------------------------------------------------------------

type TokenRoute = Route & { permission: readonly ManagementScope[] };
const tokenRoutes = (Object.values(routes) as Route[]).filter((route): route is TokenRoute => route.permission !== "public");
const relations: Relation[] = ["none", "same", "other"];
const expiries: Expiry[] = ["never", "later", "expired"];

function scopeVariants(route: TokenRoute): { name: string; scopes: ManagementScope[] }[] {
  const required = [...route.permission];
  const filler = managementScopes.find((scope) => scope !== "admin" && !required.includes(scope)) as ManagementScope;
  const exact = required.length > 0 ? required : [filler];
  const variants = [
    { name: `exactly ${exact.join("+")}`, scopes: exact },
    { name: "admin", scopes: ["admin" as ManagementScope] },
  ];
  for (const scope of required) variants.push({ name: `without ${scope}`, scopes: [...required.filter((s) => s !== scope), filler] });
  return variants;
}

interface Case {
  route: TokenRoute;
  scopes: { name: string; scopes: ManagementScope[] };
  project: Relation;
  environment: Relation;
  expiry: Expiry;
}

const cases: Case[] = tokenRoutes.flatMap((route) =>
  scopeVariants(route).flatMap((scopes) =>
    relations.flatMap((project) => relations.flatMap((environment) => expiries.map((expiry) => ({ route, scopes, project, environment, expiry })))),
  ),
);
const badTokens = ["no token", "a malformed token", "a token this server never issued", "a revoked token"] as const;

const tokenCache = new Map<string, Promise<{ secret: string; authority: Authority }>>();

async function tokenFor(c: Case, home: { project: string }): Promise<{ secret: string; authority: Authority }> {
  const project = c.project === "none" ? null : c.project === "same" ? home.project : AWAY.project;
  const environment = c.environment === "none" ? null : c.environment === "same" ? HOME.environment : AWAY.environment;
  const cacheKey = JSON.stringify([c.scopes.scopes, project, environment, c.expiry]);
  let made = tokenCache.get(cacheKey);
  if (!made) {
    made = (async () => {
      const now = k.clock.read().getTime();
      const expiresAt = c.expiry === "never" ? null : c.expiry === "later" ? now + 365 * 86_400_000 : now + 1_000;
      const body = {
        name: `m${next()}`,
        scopes: c.scopes.scopes,
        ...(project ? { project } : {}),
        ...(environment ? { environment } : {}),
        ...(expiresAt ? { expires_at: new Date(expiresAt).toISOString() } : {}),
      };
      const { secret } = await seedToken(k, body);
      if (c.expiry === "expired") k.clock.advance(1_500);
      return { secret, authority: { scopes: c.scopes.scopes, project, environment, expiresAt } };
    })();
    // A token bound to a project that a case erases is not reused.
    if (c.route.target !== "project-erase") tokenCache.set(cacheKey, made);
  }
  return made;
}

async function auditHead(): Promise<number> {
  return (await k.keyward.services.storage.stores.audit.head()).seq;
}

async function auditSince(seq: number) {
  return k.keyward.services.storage.stores.audit.list({ afterSeq: seq, limit: 100 });
}

async function allPages(url: string, token: string): Promise<{ data: Record<string, unknown>[] }> {
  const data: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const separator = url.includes("?") ? "&" : "?";
    const answer = await k.call("GET", `${url}${cursor ? `${separator}cursor=${cursor}` : ""}`, { token });
    expect(answer.statusCode, answer.body).toBe(200);
    const page = answer.json() as { data: Record<string, unknown>[]; next_cursor: string | null };
    data.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return { data };
}

beforeAll(async () => {
  k = await openKeywardUnderTest();
  await seedProject(k, HOME.project, []);
  await seedProject(k, AWAY.project, []);
  targetKey = await seedKey(k, { ...HOME, name: "target", scopes: [] });
  listedToken = await seedToken(k, { name: "listed", scopes: LISTED_TOKEN.scopes, ...HOME });
  await k.call("PUT", "/v1/trust-policies/listed-policy", { body: { ...trustPolicyBody, scopes: LISTED_TOKEN.scopes, ...HOME } });
});
afterAll(async () => {
  await k?.close();
});

describe.each(tokenRoutes.map((route) => ({ route, name: `${route.operationId} (${route.method} ${route.path})` })))("$name", ({ route }) => {
  it.each(badTokens.map((kind) => ({ kind })))("$kind → 401", async ({ kind }) => {
    const home = { project: `d${next()}` };
    if (route.target === "project-erase") await seedProject(k, home.project, []);
    const prepared = await fixtures[route.operationId]!(home);
    let authorization: string | undefined;
    if (kind === "a malformed token") authorization = "Bearer not-a-token";
    if (kind === "a token this server never issued") authorization = `Bearer kwm_${"0".repeat(49)}`;
    if (kind === "a revoked token") {
      const revoked = await seedToken(k, { name: `r${next()}`, scopes: ["admin"] });
      await k.call("DELETE", `/v1/tokens/${revoked.id}`);
      authorization = `Bearer ${revoked.secret}`;
    }
    const before = await auditHead();
    const answer = await k.inject({
      method: route.method,
      url: prepared.url,
      headers: authorization ? { authorization } : {},
      ...(prepared.body === undefined ? {} : { payload: prepared.body as object }),
    });
    expect([answer.statusCode, answer.json().error.code], answer.body).toEqual([401, "UNAUTHORIZED"]);
    // Failed authentications are counted and written once per address per minute, not per request.
    expect((await auditSince(before)).every((event) => event.action === "auth.failed")).toBe(true);
  });
});

describe.each(
  cases.map((c) => ({ ...c, name: `${c.route.operationId} · ${c.scopes.name} · project ${c.project} · environment ${c.environment} · expiry ${c.expiry}` })),
)("$name", (c) => {
  it("answers what SPEC §10 says, and audits a refusal", async () => {
    const home: { project: string } = { project: HOME.project };
    if (c.route.target === "project-erase") {
      home.project = `d${next()}`;
      await seedProject(k, home.project, []);
      await seedKey(k, { project: home.project, environment: "live", name: "live-key", scopes: [] });
      await seedKey(k, { project: home.project, environment: "test", name: "test-key", scopes: [] });
    }
    const token = await tokenFor(c, home);
    const prepared = await fixtures[c.route.operationId]!(home);
    const expected = expectedAnswer(c.route, token.authority, c.expiry, home, prepared);
    const before = await auditHead();
    const answer = prepared.stream
      ? await k.injectStream({ method: "GET", url: prepared.url, headers: { authorization: `Bearer ${token.secret}` } })
      : await k.call(c.route.method, prepared.url, { token: token.secret, ...(prepared.body === undefined ? {} : { body: prepared.body }) });
    expect(answer.statusCode, answer.body).toBe(expected.status);
    if (expected.code) expect(answer.json().error.code).toBe(expected.code);
    if (expected.verification) expect(answer.json()).toMatchObject({ code: expected.verification });
    if (expected.verification === "NOT_FOUND") expect(answer.json()).toEqual({ valid: false, code: "NOT_FOUND" });
    if (expected.listed !== undefined) {
      const listing =
        c.route.operationId === "listTokens" || c.route.operationId === "listWebhooks"
          ? await allPages(prepared.url, token.secret)
          : c.route.operationId === "exportAudit"
            ? { data: answer.body.split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) }
            : answer.json();
      expect(await prepared.listed!(listing)).toBe(expected.listed);
    }
    const events = await auditSince(before);
    if (expected.status === 403 || expected.status === 404) {
      const refusals = events.filter((event) => event.action === "auth.forbidden");
      expect(refusals, "one audit event for the refusal").toHaveLength(1);
      // Invisible means invisible: a 404 is filed under no project, where a bound token cannot read it.
      if (expected.status === 404) expect([refusals[0]!.project, refusals[0]!.environment]).toEqual([null, null]);
      // A refusal names the caller's own binding, never the other project or environment.
      if (token.authority.project === AWAY.project && expected.status === 403) expect(answer.body).not.toContain(`'${home.project}'`);
      if (token.authority.environment === AWAY.environment && expected.status === 403) expect(answer.body).not.toContain(`'${HOME.environment}'`);
    }
    if (expected.status === 401) expect(events.every((event) => event.action === "auth.failed")).toBe(true);
  });
});

describe("the matrix", () => {
  it("covers every route of the table that takes a token", async () => {
    expect(new Set(cases.map((c) => c.route.operationId))).toEqual(new Set(Object.keys(fixtures)));
    // Nothing was queued for the webhooks' public address (WEBHOOK_EVENTS), so nothing was sent there.
    expect(await k.keyward.services.storage.stores.deliveries.anyPending()).toBe(false);
    // Printed so a reader sees its size: routes × bindings × scope variants × expiries, plus bad tokens.
    console.info(`authorization matrix: ${cases.length} generated cases + ${tokenRoutes.length * badTokens.length} bad-token cases over ${tokenRoutes.length} routes`);
  });
});
