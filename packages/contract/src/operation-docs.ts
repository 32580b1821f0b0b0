import type { ErrorCode } from "./errors";
import type { OperationId } from "./routes";

/**
 * What the OpenAPI document says of an operation beyond its route: a description, and the
 * answers its route's shape does not imply (`openapi.ts` adds 400 for inputs, 401/429/503 for a
 * token, 403 for a scope or binding it may lack, 404 for a path id, 409 for Idempotency-Key,
 * 413/415 for a body, 500 for all; 429 also where UNAUTHORIZED is listed here).
 */
export interface OperationDoc {
  readonly description: string;
  /** Errors this operation answers besides those its shape implies, with when. */
  readonly errors?: Partial<Record<ErrorCode, string>>;
  /** The media type of a success answer that is not JSON (the schema is then a string). */
  readonly produces?: string;
  /** A second success status beside the route's own. */
  readonly alsoSucceeds?: { readonly status: 200 | 201; readonly description: string };
}

export const operationDocs = {
  health: {
    description: "Answers 200 while the database answers a query, 503 (same body, `status: degraded`) while it does not. Needs no token: point a load balancer's health check here.",
  },
  metrics: {
    produces: "text/plain; version=0.0.4",
    description: "Prometheus text exposition: HTTP requests and latencies by route pattern, verifications by outcome code, keys by status and environment, build info and the Node.js process metrics. Needs no token; no label ever holds a secret, key name or URL.",
  },
  openapi: {
    description: "This document, generated from the same zod contract the server validates requests with and the client SDK is typed from.",
  },
  createProject: {
    description: "Creates a project: the namespace of a scope catalog, keys and project-bound tokens. The name is permanent. A token bound to a project cannot create projects.",
    errors: { CONFLICT: "A project with this name exists." },
  },
  listProjects: {
    description: "Lists projects by name, a page at a time; a token bound to a project sees only that project.",
  },
  getProject: {
    description: "Returns one project.",
  },
  deleteProject: {
    description: "Erases a project with its keys, scopes, tokens bound to it and usage counts. Its secrets stop verifying at once. The audit log keeps its events and a tombstone.",
  },
  putScope: {
    description: "Declares a scope in the project's catalog, or updates its description. A key may hold only scopes declared here.",
    alsoSucceeds: { status: 201, description: "Created: the scope did not exist." },
  },
  listScopes: {
    description: "Lists the project's scope catalog by name, a page at a time.",
  },
  deleteScope: {
    description: "Removes a scope from the catalog. Refused with 409 while a key that is not revoked holds it.",
    errors: { CONFLICT: "A key that is not revoked holds the scope." },
  },
  createKey: {
    description: "Creates an API key and answers its secret, the only time the secret is ever shown; the server keeps a hash. Every scope must be declared in the project's catalog. Send an Idempotency-Key so a retry gets the same key back instead of a second key.",
    errors: { NOT_FOUND: "The project does not exist.", CONFLICT: "A key with this name exists in the project and environment, or the Idempotency-Key was used for another request." },
  },
  listKeys: {
    description: "Lists API keys (never a secret), filtered by project, environment, status, name or due rotation, a page at a time.",
  },
  getKey: {
    description: "Returns one API key: its settings, status, version, rotation schedule and last use. Never its secret.",
  },
  updateKey: {
    description: "Changes a key's name, scopes, expiry, rotation schedule, IP allowlist, rate limit or metadata. An absent field stays as it is; `null` clears an optional setting. The secret is unchanged.",
    errors: { CONFLICT: "The key is revoked, or another key has the new name." },
  },
  rotateKey: {
    description: "Issues a new secret and answers it (shown once). The previous secret keeps verifying for the grace period (the key's own, or `grace_period` here), then stops.",
    errors: { CONFLICT: "The key is revoked or has no current secret, or the Idempotency-Key was used for another request." },
  },
  rollbackKey: {
    description: "Undoes the latest rotation while the previous secret is still valid: the previous secret becomes current again and the newer one stops verifying.",
    errors: { CONFLICT: "The key is revoked, or its previous secret has expired or was revoked." },
  },
  revokeKey: {
    description: "Revokes every secret of the key at once; the next verification answers REVOKED. The key's record stays for the audit trail.",
  },
  deleteKey: {
    description: "Revokes the key and deletes its record.",
  },
  getKeyUsage: {
    description: "Verification counts of one key by outcome code, per hour or per day since a time, and where and when it was last used.",
  },
  verifyKey: {
    description: "Checks an API key secret, and optionally that it holds scopes and is used from an allowed address. Always 200 for a well-formed request: an unknown, expired, revoked, under-scoped or rate-limited key is an answer (`valid: false` and a code), not an error.",
  },
  getVerifierSnapshot: {
    description: "Answers what the SDK's in-process verifier needs to judge exactly as `POST /v1/verify` does: every key of the project (and environment) inside the token's binding with its scopes, metadata, expiry, revocation, IP allowlist, rate limit and each stored secret's verifier digest, plus the project's verifier key and a cursor for the change stream. Storage digests and the pepper never leave the server. Keys outside the binding are absent, as they verify as NOT_FOUND.",
  },
  streamVerifierEvents: {
    produces: "text/event-stream",
    description: "Server-Sent Events: `upsert` (a key created or changed, with its whole entry), `remove` (a key deleted), `resync` (a whole snapshot: the `since` cursor could not be resumed, or the server may have missed changes) and `heartbeat` every 200 ms while the server is sure it has seen every change. Each change carries its cursor as the event id. A verifier that hears nothing for over a second stops trusting its snapshot.",
  },
  reportVerifierUsage: {
    description: "Applies verification counts and last use from an in-process verifier exactly as the server records its own verifications (hourly counts by outcome, last use). Reports for keys outside the token's binding or unknown are dropped without saying which.",
  },
  createToken: {
    description: "Creates a management token and answers its secret, shown once. A token can grant only scopes it holds itself, and a bound token only tokens bound the same way.",
    errors: { NOT_FOUND: "The project the new token is bound to does not exist." },
  },
  listTokens: {
    description: "Lists management tokens (never a secret), a page at a time.",
  },
  deleteToken: {
    description: "Revokes a management token; its next request answers 401.",
  },
  exchangeToken: {
    description:
      "Exchanges an OIDC ID token (a GitHub Actions job's, from core.getIDToken(audience)) for a short-lived management token, with no bearer token. The token's signature is checked against its issuer's published keys (the issuer must be on the server's --oidc-issuer allowlist), then iss, aud, exp/nbf/iat (60 s leeway) and every claim of a trust policy; each ID token is accepted once (jti). The minted token has the policy's scopes and binding and lives the policy's ttl, never longer than the ID token. Every exchange is audited with the policy and the token's sub, repository and run_id.",
    errors: {
      UNAUTHORIZED: "The ID token is malformed, from an issuer not on the allowlist, badly signed, expired or not yet valid, already exchanged, or no trust policy accepts it; the message names no policy. Counts toward the per-IP failed-authentication limit.",
      RATE_LIMITED: "This address failed authentication too often; wait for `Retry-After` seconds.",
      UNAVAILABLE: "The database cannot be reached (then with `Retry-After`), or the issuer's OpenID configuration or keys could not be fetched; try again later. No token was minted.",
    },
  },
  putTrustPolicy: {
    description:
      "Creates or replaces a trust policy: which OIDC ID tokens (issuer, audience, exact claims, at least one of repository_id, repository_owner_id or sub) may be exchanged for a management token with these scopes and binding. The caller may grant only scopes it holds and a binding at least as narrow as its own; a policy made by an expiring token stops matching when that token would have expired.",
    alsoSucceeds: { status: 201, description: "The policy was created." },
    errors: { NOT_FOUND: "The project named in the body does not exist." },
  },
  listTrustPolicies: {
    description: "Lists the trust policies inside the caller's authority by name, a page at a time.",
  },
  getTrustPolicy: {
    description: "Returns one trust policy; one outside the caller's authority answers 404 as a missing one does.",
  },
  deleteTrustPolicy: {
    description: "Deletes a trust policy: it matches no ID token from now on. Tokens it minted keep working until they expire (revoke them with DELETE /v1/tokens/{id}).",
  },
  listAudit: {
    description: "Lists audit events oldest first, filtered by project, action or time, a page at a time. Every mutation and every failed authentication is an event; none holds secret material.",
  },
  exportAudit: {
    produces: "application/x-ndjson",
    description: "Streams audit events oldest first as JSON lines, each with its `prev_hash` and `hash`, so an auditor can check the chain (and the signed checkpoints) offline with `keyward audit verify --file`.",
  },
  createAuditCheckpoint: {
    description: "Signs the chain's head now (Ed25519) and appends the checkpoint to the checkpoint file outside the database; the server also does so every N events and on shutdown.",
  },
  verifyAudit: {
    description: "Recomputes the audit log's hash chain and reports whether every event still links to the one before it, and the first that does not.",
  },
  getProjectPolicy: {
    description: "The project's key policy per environment, with defaults filled in: today the exposure response (`revoke`, `rotate` or `notify`) applied when GitHub reports one of its secrets in public.",
  },
  putProjectPolicy: {
    description: "Sets the policy of the environments in the body; an omitted environment keeps its policy. A token bound to an environment may set only that environment's.",
  },
  createWebhook: {
    description: "Subscribes a URL to events. Deliveries follow Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`); the signing secret (`whsec_…`) is in this answer only. The URL must be https:// and must not resolve to a loopback, private or link-local address unless the server runs with `--allow-private-webhooks`.",
    errors: { NOT_FOUND: "the body's project does not exist" },
  },
  listWebhooks: {
    description: "Lists the webhooks inside the token's binding, by id, a page at a time.",
  },
  getWebhook: {
    description: "One webhook, never its signing secret.",
  },
  deleteWebhook: {
    description: "Deletes the webhook; its queued deliveries are dropped.",
  },
  listWebhookDeliveries: {
    description: "The webhook's delivery log, newest first: per delivery its status and every attempt's time, HTTP status (or why none came) and duration. Bodies are never logged.",
  },
  reportGithubSecrets: {
    description: "GitHub's secret scanning partner endpoint. Authenticated by GitHub's ECDSA signature over the raw body (`Github-Public-Key-Identifier`, `Github-Public-Key-Signature`), not by a token. Answers `true_positive` per live or recently valid Keyward secret and applies the project's exposure policy within the request.",
    errors: { UNAUTHORIZED: "the request is unsigned or badly signed", UNAVAILABLE: "GitHub's signing keys could not be fetched" },
  },
} as const satisfies Record<OperationId, OperationDoc>;
