import { type CreateKeyRequest, type CreateKeyResponse, policyViolations } from "@keyward/contract";
import { ApiError, badRequest } from "../api-error";
import { type Caller, requireInsideBinding } from "../authorization";
import { destinationDetails, nextRotationAt, presentKey } from "../key-view";
import { mutate } from "../mutation";
import { policyRefusal } from "../projects/policy-refusal";
import { effectivePolicy } from "../projects/project-policy";
import { keyEvent } from "../webhooks/webhook-event";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { verifierDigestOf } from "../verifier/verifier-keys";
import { issuedSecret } from "./client-secret";
import { requireDeclaredScopes, requireUniqueName } from "./find-key";

export function createKey(services: Services, context: RequestContext & { caller: Caller }, request: CreateKeyRequest): Promise<CreateKeyResponse> {
  requireInsideBinding(context.caller, request, "keys");
  return mutate(services, context, async (m) => {
    if (!(await m.stores.projects.get(request.project))) {
      throw new ApiError("NOT_FOUND", `body.project: project '${request.project}' was not found`, [{ field: "body.project", message: "must name an existing project" }]);
    }
    const expiresAt = request.expires_at ? new Date(request.expires_at) : null;
    if (expiresAt && expiresAt <= m.now) throw badRequest("body.expires_at", "must be in the future");
    await requireDeclaredScopes(m.stores, request.project, request.scopes, "body.scopes");
    await requireUniqueName(m.stores, request, "body.name");
    const policy = effectivePolicy(await m.stores.policies.get(request.project))[request.environment];
    const shape = { expires_at: request.expires_at ?? null, rotation: request.rotation ?? null, destinations: request.destinations ?? [] };
    const violations = policyViolations(policy, shape, m.now);
    if (violations.length > 0) throw policyRefusal(request, violations);
    const { secret, source } = await issuedSecret(services, m.stores, request.environment, request.secret);
    const base = { rotation: request.rotation ?? null, rotatedAt: null, createdAt: m.now };
    const key = {
      id: services.issuer.id("key"),
      project: request.project,
      environment: request.environment,
      name: request.name,
      scopes: request.scopes,
      version: 1,
      hint: secret.hint,
      expiresAt,
      ...base,
      nextRotationAt: nextRotationAt(base),
      ipAllowlist: request.ip_allowlist ?? null,
      rateLimit: request.rate_limit ?? null,
      metadata: request.metadata ?? {},
      destinations: request.destinations ?? [],
      updatedAt: m.now,
      lastUsedAt: null,
      lastUsedIp: null,
      revokedAt: null,
    };
    await m.stores.keys.insert(key);
    const digest = services.pepper.digest(secret.reveal());
    await m.stores.secrets.insert({
      digest,
      keyId: key.id,
      version: 1,
      hint: secret.hint,
      expiresAt: null,
      revokedAt: null,
      createdAt: m.now,
    });
    await m.stores.verifier.recordDigest(digest, verifierDigestOf(services.pepper, key.project, secret.reveal()));
    await m.audit({
      action: "key.create",
      target: key.id,
      project: key.project,
      environment: key.environment,
      details: { name: key.name, scopes: key.scopes, version: 1, secret_source: source, ...destinationDetails(key.destinations) },
    });
    m.changed({ kind: "key", id: key.id });
    await m.emit(keyEvent("key.created", key, m.now));
    return { key: presentKey(key, m.now), secret: secret.reveal() };
  });
}
