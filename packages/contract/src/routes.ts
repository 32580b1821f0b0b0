import { z } from "zod";
import { AuditCheckpoint, AuditEvent, AuditVerification, ExportAuditQuery, ListAuditQuery } from "./audit";
import { page } from "./common";
import { Health } from "./health";
import {
  ApiKey,
  CreateKeyRequest,
  CreateKeyResponse,
  KeyParams,
  ListKeysQuery,
  RotateKeyRequest,
  RotateKeyResponse,
  UpdateKeyRequest,
} from "./keys";
import { ProjectPolicy, PutProjectPolicyRequest } from "./project-policy";
import { CreateProjectRequest, Project, ProjectParams } from "./projects";
import { PutScopeRequest, Scope, ScopeParams } from "./scopes";
import { ExchangeTokenRequest, ExchangeTokenResponse, ListTrustPoliciesQuery, PutTrustPolicyRequest, TrustPolicy, TrustPolicyParams } from "./trust-policies";
import { CreateTokenRequest, CreateTokenResponse, ListTokensQuery, ManagementToken, type ManagementScope, TokenParams } from "./tokens";
import { KeyUsage, UsageQuery } from "./usage";
import { VerifierEventsQuery, VerifierScopeQuery, VerifierSnapshot, VerifierUsageRequest, VerifierUsageResponse } from "./verifier";
import { VerifyRequest, VerifyResponse } from "./verify";
import { CreateWebhookRequest, CreateWebhookResponse, ListDeliveriesQuery, ListWebhooksQuery, Webhook, WebhookDelivery, WebhookParams } from "./webhooks";
import { SecretScanningAlert, SecretScanningResponse } from "./secret-scanning";

/**
 * Who may call a route: anyone (`"public"`), or a valid management token holding every scope in
 * the list (`[]`: any valid token; `admin` holds them all).
 */
export type Permission = "public" | readonly ManagementScope[];

/**
 * What a route acts on, and so how a token's project and environment binding apply (SPEC §10).
 * An object outside the caller's binding answers 404 exactly as a missing one does.
 * - `none`: nothing (public routes).
 * - `service`: the whole service; refused (403) to a token bound to a project.
 * - `unbound`: the whole service, every project and environment; refused (403) to any bound token.
 * - `project`: the project in the path; invisible to a token bound to another project.
 * - `project-erase`: as `project`, and refused (403) to a token bound to an environment.
 * - `key`: the key in the path; invisible outside the token's project and environment.
 * - `verified-key`: the key being verified; outside the binding it verifies as `NOT_FOUND`.
 * - `new-key`: the body's project and environment must lie inside the binding (403).
 * - `listing`: a list, filtered to what lies inside the token's binding.
 * - `token`: the token in the path; invisible unless its whole authority lies inside the caller's.
 * - `new-token`: the body's scopes, binding and expiry must lie inside the caller's (403).
 * - `webhook`: the webhook in the path; invisible unless it lies inside the token's binding.
 * - `new-webhook`: the body's project and environment (default: the token's) must lie inside the binding (403).
 */
export type Target =
  | "none" | "service" | "unbound" | "project" | "project-erase" | "key" | "verified-key" | "new-key" | "listing" | "token" | "new-token"
  | "webhook" | "new-webhook";

export interface Route {
  readonly operationId: string;
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** OpenAPI style: `/v1/keys/{id}`. */
  readonly path: string;
  readonly summary: string;
  readonly permission: Permission;
  readonly target: Target;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** The success status; `response` is absent for 204 and non-JSON bodies. */
  readonly status: 200 | 201 | 204;
  readonly response?: z.ZodType;
  /** Honours `Idempotency-Key` (SPEC §3): a retry gets the saved answer back. */
  readonly idempotent?: boolean;
}

const EmptyQuery = z.strictObject({});

function route<const R extends Route>(definition: R): R {
  return definition;
}

/** Every endpoint of SPEC §3. The server registers exactly these; the client calls exactly these. */
export const routes = {
  health: route({ operationId: "health", method: "GET", path: "/healthz", summary: "Liveness and database reachability", permission: "public", target: "none", status: 200, response: Health }),
  metrics: route({ operationId: "metrics", method: "GET", path: "/metrics", summary: "Prometheus metrics (text format)", permission: "public", target: "none", status: 200 }),
  openapi: route({ operationId: "openapi", method: "GET", path: "/openapi.json", summary: "This API as OpenAPI 3.1", permission: "public", target: "none", status: 200 }),

  createProject: route({ operationId: "createProject", method: "POST", path: "/v1/projects", summary: "Create a project", permission: ["projects:write"], target: "service", body: CreateProjectRequest, status: 201, response: Project , idempotent: true}),
  listProjects: route({ operationId: "listProjects", method: "GET", path: "/v1/projects", summary: "List projects", permission: [], target: "listing", query: z.strictObject({ limit: ListTokensQuery.shape.limit, cursor: ListTokensQuery.shape.cursor }), status: 200, response: page(Project) }),
  getProject: route({ operationId: "getProject", method: "GET", path: "/v1/projects/{project}", summary: "Get a project", permission: [], target: "project", params: ProjectParams, status: 200, response: Project }),
  deleteProject: route({ operationId: "deleteProject", method: "DELETE", path: "/v1/projects/{project}", summary: "Erase a project: keys, scopes, tokens and usage (the audit log keeps a tombstone)", permission: ["projects:write"], target: "project-erase", params: ProjectParams, status: 204 }),

  putScope: route({ operationId: "putScope", method: "PUT", path: "/v1/projects/{project}/scopes/{scope}", summary: "Create or update a scope (201 when created, 200 when updated)", permission: ["scopes:write"], target: "project", params: ScopeParams, body: PutScopeRequest, status: 200, response: Scope }),
  listScopes: route({ operationId: "listScopes", method: "GET", path: "/v1/projects/{project}/scopes", summary: "List a project's scope catalog", permission: [], target: "project", params: ProjectParams, query: z.strictObject({ limit: ListTokensQuery.shape.limit, cursor: ListTokensQuery.shape.cursor }), status: 200, response: page(Scope) }),
  deleteScope: route({ operationId: "deleteScope", method: "DELETE", path: "/v1/projects/{project}/scopes/{scope}", summary: "Delete a scope (409 while a non-revoked key holds it)", permission: ["scopes:write"], target: "project", params: ScopeParams, status: 204 }),

  createKey: route({ operationId: "createKey", method: "POST", path: "/v1/keys", summary: "Create an API key; the secret is in this answer only", permission: ["keys:write"], target: "new-key", body: CreateKeyRequest, status: 201, response: CreateKeyResponse, idempotent: true }),
  listKeys: route({ operationId: "listKeys", method: "GET", path: "/v1/keys", summary: "List API keys", permission: ["keys:read"], target: "listing", query: ListKeysQuery, status: 200, response: page(ApiKey) }),
  getKey: route({ operationId: "getKey", method: "GET", path: "/v1/keys/{id}", summary: "Get an API key (never its secret)", permission: ["keys:read"], target: "key", params: KeyParams, status: 200, response: ApiKey }),
  updateKey: route({ operationId: "updateKey", method: "PATCH", path: "/v1/keys/{id}", summary: "Update name, scopes, expiry, rotation, allowlist, rate limit or metadata", permission: ["keys:write"], target: "key", params: KeyParams, body: UpdateKeyRequest, status: 200, response: ApiKey }),
  rotateKey: route({ operationId: "rotateKey", method: "POST", path: "/v1/keys/{id}/rotate", summary: "Issue a new secret; the previous one verifies for the grace period", permission: ["keys:rotate"], target: "key", params: KeyParams, body: RotateKeyRequest, status: 200, response: RotateKeyResponse, idempotent: true }),
  rollbackKey: route({ operationId: "rollbackKey", method: "POST", path: "/v1/keys/{id}/rollback", summary: "Undo the latest rotation while the previous secret is still valid", permission: ["keys:rotate"], target: "key", params: KeyParams, body: EmptyQuery, status: 200, response: ApiKey , idempotent: true}),
  revokeKey: route({ operationId: "revokeKey", method: "POST", path: "/v1/keys/{id}/revoke", summary: "Revoke every secret of the key now", permission: ["keys:revoke"], target: "key", params: KeyParams, body: EmptyQuery, status: 200, response: ApiKey , idempotent: true}),
  deleteKey: route({ operationId: "deleteKey", method: "DELETE", path: "/v1/keys/{id}", summary: "Revoke and delete a key", permission: ["keys:write", "keys:revoke"], target: "key", params: KeyParams, status: 204 }),
  getKeyUsage: route({ operationId: "getKeyUsage", method: "GET", path: "/v1/keys/{id}/usage", summary: "Verification counts by outcome, last use", permission: ["keys:read"], target: "key", params: KeyParams, query: UsageQuery, status: 200, response: KeyUsage }),

  verifyKey: route({ operationId: "verifyKey", method: "POST", path: "/v1/verify", summary: "Verify an API key; always 200 for a well-formed request", permission: ["keys:verify"], target: "verified-key", body: VerifyRequest, status: 200, response: VerifyResponse }),
  getVerifierSnapshot: route({ operationId: "getVerifierSnapshot", method: "GET", path: "/v1/verifier/snapshot", summary: "What an in-process verifier judges by: every key of a project with its secrets' verifier digests", permission: ["keys:verify"], target: "listing", query: VerifierScopeQuery, status: 200, response: VerifierSnapshot }),
  streamVerifierEvents: route({ operationId: "streamVerifierEvents", method: "GET", path: "/v1/verifier/events", summary: "Changes to a verifier snapshot as Server-Sent Events (text/event-stream), with a heartbeat", permission: ["keys:verify"], target: "listing", query: VerifierEventsQuery, status: 200 }),
  reportVerifierUsage: route({ operationId: "reportVerifierUsage", method: "POST", path: "/v1/verifier/usage", summary: "Report verifications an in-process verifier answered, in a batch", permission: ["keys:verify"], target: "listing", body: VerifierUsageRequest, status: 200, response: VerifierUsageResponse }),

  createToken: route({ operationId: "createToken", method: "POST", path: "/v1/tokens", summary: "Create a management token; the secret is in this answer only", permission: ["tokens:write"], target: "new-token", body: CreateTokenRequest, status: 201, response: CreateTokenResponse, idempotent: true }),
  listTokens: route({ operationId: "listTokens", method: "GET", path: "/v1/tokens", summary: "List management tokens", permission: ["tokens:write"], target: "listing", query: ListTokensQuery, status: 200, response: page(ManagementToken) }),
  deleteToken: route({ operationId: "deleteToken", method: "DELETE", path: "/v1/tokens/{id}", summary: "Revoke a management token", permission: ["tokens:write"], target: "token", params: TokenParams, status: 204 }),
  exchangeToken: route({ operationId: "exchangeToken", method: "POST", path: "/v1/tokens/exchange", summary: "Exchange an OIDC ID token for a short-lived management token under a matching trust policy (no bearer token)", permission: "public", target: "none", body: ExchangeTokenRequest, status: 201, response: ExchangeTokenResponse }),

  putTrustPolicy: route({ operationId: "putTrustPolicy", method: "PUT", path: "/v1/trust-policies/{name}", summary: "Create or replace a trust policy (201 when created, 200 when replaced)", permission: ["tokens:write"], target: "new-token", params: TrustPolicyParams, body: PutTrustPolicyRequest, status: 200, response: TrustPolicy }),
  listTrustPolicies: route({ operationId: "listTrustPolicies", method: "GET", path: "/v1/trust-policies", summary: "List trust policies", permission: ["tokens:write"], target: "listing", query: ListTrustPoliciesQuery, status: 200, response: page(TrustPolicy) }),
  getTrustPolicy: route({ operationId: "getTrustPolicy", method: "GET", path: "/v1/trust-policies/{name}", summary: "Get a trust policy", permission: ["tokens:write"], target: "token", params: TrustPolicyParams, status: 200, response: TrustPolicy }),
  deleteTrustPolicy: route({ operationId: "deleteTrustPolicy", method: "DELETE", path: "/v1/trust-policies/{name}", summary: "Delete a trust policy; tokens it minted keep working until they expire", permission: ["tokens:write"], target: "token", params: TrustPolicyParams, status: 204 }),

  listAudit: route({ operationId: "listAudit", method: "GET", path: "/v1/audit", summary: "List audit events, oldest first", permission: ["audit:read"], target: "listing", query: ListAuditQuery, status: 200, response: page(AuditEvent) }),
  verifyAudit: route({ operationId: "verifyAudit", method: "GET", path: "/v1/audit/verify", summary: "Check the keyed audit chain against the newest signed checkpoint", permission: ["audit:read"], target: "unbound", query: EmptyQuery, status: 200, response: AuditVerification }),
  exportAudit: route({ operationId: "exportAudit", method: "GET", path: "/v1/audit/export", summary: "Stream audit events with their hashes as JSON lines (application/x-ndjson), oldest first", permission: ["audit:read"], target: "listing", query: ExportAuditQuery, status: 200 }),
  createAuditCheckpoint: route({ operationId: "createAuditCheckpoint", method: "POST", path: "/v1/audit/checkpoints", summary: "Sign the chain's head now and append it to the checkpoint file", permission: ["admin"], target: "unbound", body: EmptyQuery, status: 201, response: AuditCheckpoint }),

  getProjectPolicy: route({ operationId: "getProjectPolicy", method: "GET", path: "/v1/projects/{project}/policy", summary: "Get a project's key policy per environment (key rules and exposure response)", permission: [], target: "project", params: ProjectParams, status: 200, response: ProjectPolicy }),
  putProjectPolicy: route({ operationId: "putProjectPolicy", method: "PUT", path: "/v1/projects/{project}/policy", summary: "Set a project's key policy per environment", permission: ["projects:write"], target: "project", params: ProjectParams, body: PutProjectPolicyRequest, status: 200, response: ProjectPolicy }),

  createWebhook: route({ operationId: "createWebhook", method: "POST", path: "/v1/webhooks", summary: "Create a webhook; its signing secret is in this answer only", permission: ["webhooks:write"], target: "new-webhook", body: CreateWebhookRequest, status: 201, response: CreateWebhookResponse, idempotent: true }),
  listWebhooks: route({ operationId: "listWebhooks", method: "GET", path: "/v1/webhooks", summary: "List webhooks", permission: ["webhooks:write"], target: "listing", query: ListWebhooksQuery, status: 200, response: page(Webhook) }),
  getWebhook: route({ operationId: "getWebhook", method: "GET", path: "/v1/webhooks/{id}", summary: "Get a webhook (never its signing secret)", permission: ["webhooks:write"], target: "webhook", params: WebhookParams, status: 200, response: Webhook }),
  deleteWebhook: route({ operationId: "deleteWebhook", method: "DELETE", path: "/v1/webhooks/{id}", summary: "Delete a webhook and its pending deliveries", permission: ["webhooks:write"], target: "webhook", params: WebhookParams, status: 204 }),
  listWebhookDeliveries: route({ operationId: "listWebhookDeliveries", method: "GET", path: "/v1/webhooks/{id}/deliveries", summary: "A webhook's delivery log, newest first", permission: ["webhooks:write"], target: "webhook", params: WebhookParams, query: ListDeliveriesQuery, status: 200, response: page(WebhookDelivery) }),

  reportGithubSecrets: route({ operationId: "reportGithubSecrets", method: "POST", path: "/v1/secret-scanning/github", summary: "GitHub secret scanning partner endpoint (authenticated by GitHub's signature, not a token)", permission: "public", target: "none", body: SecretScanningAlert, status: 200, response: SecretScanningResponse }),
} as const satisfies Record<string, Route>;

export type Routes = typeof routes;
export type OperationId = keyof Routes;
