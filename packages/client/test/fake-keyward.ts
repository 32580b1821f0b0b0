import { createHmac, randomBytes } from "node:crypto";
import { composeSecret, keySecretPrefix, type OperationId, type Route, routes, TOKEN_SECRET_PREFIX } from "@keyward/contract";
import { MockAgent } from "undici";

const time = "2026-11-22T07:00:00.000Z";
export const keyId = "key_0123456789ABCDEFGHIJ";
export const tokenId = "tok_0123456789ABCDEFGHIJ";

/** Fresh secrets in the real format, so a leak check searches for something realistic. */
export function newKeySecret(): string {
  return composeSecret(keySecretPrefix("live"), randomBytes(32));
}
export function newTokenSecret(): string {
  return composeSecret(TOKEN_SECRET_PREFIX, randomBytes(32));
}

const project = { name: "billing-api", description: null, created_at: time };
const scope = { project: "billing-api", name: "invoices:read", description: "Read invoices", created_at: time, updated_at: time };
const apiKey = {
  id: keyId,
  project: "billing-api",
  environment: "live",
  name: "ci-deployer",
  scopes: ["invoices:read"],
  status: "active",
  version: 1,
  hint: "kw_live_…abcd",
  expires_at: null,
  rotation: { every: "30d", grace_period: "24h" },
  rotated_at: null,
  next_rotation_at: "2026-12-22T07:00:00.000Z",
  rotation_due: false,
  ip_allowlist: null,
  rate_limit: null,
  metadata: { team: "payments" },
  created_at: time,
  updated_at: time,
  last_used_at: null,
  destinations: [],
};
const token = { id: tokenId, name: "deployer", scopes: ["keys:read"], project: null, environment: null, hint: "kwm_…abcd", expires_at: null, created_at: time, last_used_at: null };
const auditEvent = {
  id: "evt_1",
  seq: 1,
  time,
  actor: tokenId,
  action: "key.create",
  target: keyId,
  project: "billing-api",
  environment: "live",
  source_ip: "127.0.0.1",
  request_id: "req_1",
  details: {},
  prev_hash: "0".repeat(64),
  hash: "1".repeat(64),
};
const trustPolicy = {
  name: "github-deploy",
  issuer: "https://token.actions.githubusercontent.com",
  audience: "https://keyward.example.com",
  claims: { repository_id: "123456", ref: "refs/heads/main" },
  scopes: ["keys:read", "keys:rotate"],
  project: "billing-api",
  environment: "live",
  ttl: "15m",
  expires_at: null,
  created_by: tokenId,
  created_at: time,
  updated_at: time,
};
/** The fake's verifier snapshot holds one key, whose one secret is `verifiedSecret`. */
const VERIFIER_KEY = Buffer.alloc(32, 7);
export const verifiedSecret = newKeySecret();
const verifierKey = {
  id: keyId,
  name: "ci",
  project: "billing-api",
  environment: "live",
  scopes: ["invoices:read"],
  metadata: {},
  expires_at: null,
  revoked_at: null,
  ip_allowlist: null,
  rate_limit: null,
  secrets: [{ version: 1, verifier_digest: createHmac("sha256", VERIFIER_KEY).update(verifiedSecret).digest("hex"), expires_at: null, revoked_at: null }],
  undigested_secrets: 0,
};
const one = <T>(item: T) => ({ data: [item], next_cursor: null });
export const webhookId = "whk_0123456789ABCDEFGHIJ";
const webhook = { id: webhookId, url: "https://hooks.example.com/keyward", events: ["key.rotated"], project: "billing-api", environment: null, created_at: time };
const delivery = {
  id: "dlv_0123456789ABCDEFGHIJ",
  webhook_id: webhookId,
  message_id: "msg_0123456789ABCDEFGHIJ",
  event: "key.rotated",
  status: "succeeded",
  attempts: [{ at: time, status_code: 200, error: null, duration_ms: 12 }],
  next_attempt_at: null,
  created_at: time,
};
const policy = { project: "billing-api", live: { exposure: "revoke" }, test: { exposure: "notify" } };

/** A valid answer for every route of the contract, as a function so each call gets fresh secrets. */
export const fixtures: Record<OperationId, () => unknown> = {
  health: () => ({ status: "ok", database: "ok" }),
  metrics: () => "",
  openapi: () => ({}),
  createProject: () => project,
  listProjects: () => one(project),
  getProject: () => project,
  deleteProject: () => undefined,
  putScope: () => scope,
  listScopes: () => one(scope),
  deleteScope: () => undefined,
  createKey: () => ({ key: apiKey, secret: newKeySecret() }),
  listKeys: () => one(apiKey),
  getKey: () => apiKey,
  updateKey: () => apiKey,
  rotateKey: () => ({ key: { ...apiKey, version: 2 }, secret: newKeySecret(), previous: { version: 1, expires_at: time } }),
  rollbackKey: () => apiKey,
  revokeKey: () => ({ ...apiKey, status: "revoked" }),
  deleteKey: () => undefined,
  getKeyUsage: () => ({ key_id: keyId, granularity: "day", buckets: [{ start: time, counts: { VALID: 3 } }], last_used_at: time, last_used_ip: "127.0.0.1" }),
  verifyKey: () => ({ valid: true, code: "VALID" }),
  getVerifierSnapshot: () => ({ cursor: "a1.0", project: "billing-api", environment: null, verifier_key: VERIFIER_KEY.toString("base64url"), keys: [verifierKey], undigested_secrets: 0 }),
  streamVerifierEvents: () => `event: heartbeat\ndata: {"cursor":"a1.0"}\n\n`,
  reportVerifierUsage: () => ({ accepted: 0 }),
  createToken: () => ({ token, secret: newTokenSecret() }),
  listTokens: () => one(token),
  deleteToken: () => undefined,
  exchangeToken: () => ({ token: { ...token, expires_at: time }, secret: newTokenSecret(), expires_at: time }),
  putTrustPolicy: () => trustPolicy,
  listTrustPolicies: () => one(trustPolicy),
  getTrustPolicy: () => trustPolicy,
  deleteTrustPolicy: () => undefined,
  listAudit: () => one(auditEvent),
  verifyAudit: () => ({ ok: true, checked: 1 }),
  exportAudit: () => `${JSON.stringify(auditEvent)}\n`,
  createAuditCheckpoint: () => ({ kind: "checkpoint", seq: 1, hash: "1".repeat(64), time, key_id: "0123456789abcdef", signature: "c2ln" }),
  getProjectPolicy: () => policy,
  putProjectPolicy: () => policy,
  createWebhook: () => ({ webhook, secret: `whsec_${Buffer.alloc(32, 7).toString("base64")}` }),
  listWebhooks: () => one(webhook),
  getWebhook: () => webhook,
  deleteWebhook: () => undefined,
  listWebhookDeliveries: () => one(delivery),
  reportGithubSecrets: () => [],
};

export interface RecordedRequest {
  readonly operationId: OperationId;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export interface ScriptedAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

function routeMatcher(route: Route): RegExp {
  return new RegExp(`^${route.path.replace(/\{\w+\}/g, "[^/]+")}$`);
}

/** Request headers as undici hands them to a mock: the object the client passed, lower-cased. */
function headersOf(raw: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries((raw ?? {}) as Record<string, unknown>).map(([name, value]) => [name.toLowerCase(), String(value)]));
}

/**
 * A Keyward API behind an undici MockAgent: it recognises requests by the contract's route table,
 * records them, and answers with a valid fixture (or with answers a test scripted).
 */
export class FakeKeyward {
  readonly url = "http://keyward.test";
  readonly agent = new MockAgent();
  readonly requests: RecordedRequest[] = [];
  readonly #scripted: ScriptedAnswer[] = [];

  constructor() {
    this.agent.disableNetConnect();
    this.agent
      .get(this.url)
      .intercept({ path: () => true, method: () => true })
      .reply((options) => this.#answer(options.method, options.path, options.headers, options.body))
      .persist();
  }

  /** The next answers, in order, instead of the fixtures. */
  script(...answers: ScriptedAnswer[]): void {
    this.#scripted.push(...answers);
  }

  #answer(method: string, pathWithQuery: string, rawHeaders: unknown, rawBody: unknown) {
    const [path = "", query = ""] = pathWithQuery.split("?");
    const found = (Object.entries(routes) as [OperationId, Route][]).find(
      ([, route]) => route.method === method && routeMatcher(route).test(path),
    );
    if (!found) return { statusCode: 404, data: { error: { code: "NOT_FOUND", message: `no route ${method} ${path}`, request_id: "req_fake" } } };
    const [operationId, route] = found;
    const body = typeof rawBody === "string" ? JSON.parse(rawBody) : undefined;
    this.requests.push({ operationId, method, path, query: new URLSearchParams(query), headers: headersOf(rawHeaders), body });
    const scripted = this.#scripted.shift();
    const headers = { "x-request-id": `req_${this.requests.length}`, "content-type": "application/json", ...scripted?.headers };
    if (scripted) return { statusCode: scripted.status, data: typeof scripted.body === "string" ? scripted.body : JSON.stringify(scripted.body ?? ""), responseOptions: { headers } };
    const data = fixtures[operationId]();
    const text = data === undefined ? "" : typeof data === "string" ? data : JSON.stringify(data);
    return { statusCode: route.status, data: text, responseOptions: { headers } };
  }
}
