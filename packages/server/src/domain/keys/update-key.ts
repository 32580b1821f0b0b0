import { type ApiKey, policyViolations, type UpdateKeyRequest } from "@keyward/contract";
import { badRequest } from "../api-error";
import type { KeyRecord } from "../../storage/key-store";
import type { Stores } from "../../storage/stores";
import type { Caller } from "../authorization";
import { destinationChange, nextRotationAt, presentKey } from "../key-view";
import { mutate } from "../mutation";
import { policyRefusal } from "../projects/policy-refusal";
import { effectivePolicy } from "../projects/project-policy";
import { keyEvent } from "../webhooks/webhook-event";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { findKey, requireDeclaredScopes, requireNotRevoked, requireUniqueName } from "./find-key";

/** PATCH semantics: an absent field stays, `null` clears an optional setting. */
export function updateKey(services: Services, context: RequestContext & { caller: Caller }, id: string, request: UpdateKeyRequest): Promise<ApiKey> {
  return mutate(services, context, async (m) => {
    const key = await findKey(m.stores, context.caller, id, { lock: true });
    requireNotRevoked(key);
    const updated = { ...key, updatedAt: m.now };
    if (request.name !== undefined && request.name !== key.name) {
      await requireUniqueName(m.stores, { ...key, name: request.name }, "body.name");
      updated.name = request.name;
    }
    if (request.scopes !== undefined) {
      await requireDeclaredScopes(m.stores, key.project, request.scopes, "body.scopes");
      updated.scopes = request.scopes;
    }
    if (request.expires_at !== undefined) {
      const expiresAt = request.expires_at === null ? null : new Date(request.expires_at);
      if (expiresAt && expiresAt <= m.now) throw badRequest("body.expires_at", "must be in the future");
      updated.expiresAt = expiresAt;
    }
    if (request.rotation !== undefined) {
      updated.rotation = request.rotation;
      updated.nextRotationAt = nextRotationAt(updated);
    }
    if (request.ip_allowlist !== undefined) updated.ipAllowlist = request.ip_allowlist;
    if (request.rate_limit !== undefined) updated.rateLimit = request.rate_limit;
    if (request.metadata !== undefined) updated.metadata = request.metadata;
    if (request.destinations !== undefined) updated.destinations = request.destinations;
    await requireKeepsPolicy(m.stores, updated, request, m.now);
    await m.stores.keys.update(updated);
    await m.audit({
      action: "key.update",
      target: key.id,
      project: key.project,
      environment: key.environment,
      details: { fields: Object.keys(request).sort(), ...scopeChange(key.scopes, updated.scopes), ...destinationChange(key.destinations, updated.destinations) },
    });
    m.changed({ kind: "key", id: key.id });
    await m.emit(keyEvent("key.updated", updated, m.now));
    return presentKey(updated, m.now);
  });
}

/**
 * SPEC §18: an update may not make a key break its project's policy. Only the fields the request
 * sets are judged, so a key that broke a policy tightened after it was made can still be renamed;
 * `check` mode lists it until it is fixed.
 */
async function requireKeepsPolicy(stores: Stores, key: KeyRecord, request: UpdateKeyRequest, now: Date): Promise<void> {
  const policy = effectivePolicy(await stores.policies.get(key.project))[key.environment];
  const shown = presentKey(key, now);
  const violations = policyViolations(policy, shown, now).filter((violation) => violation.field.split(".")[0]! in request);
  if (violations.length > 0) throw policyRefusal(key, violations);
}

/** Reviewers care most about widened scopes, so the audit event names them. */
function scopeChange(before: readonly string[], after: readonly string[]) {
  const added = after.filter((scope) => !before.includes(scope));
  const removed = before.filter((scope) => !after.includes(scope));
  return added.length + removed.length === 0 ? {} : { scopes_added: added, scopes_removed: removed };
}
