import {
  DEFAULT_MAX_GRACE_PERIOD,
  type EnvironmentPolicy,
  gracePeriodViolation,
  parseDuration,
  type RotateKeyRequest,
  type RotateKeyResponse,
  type Secret,
} from "@keyward/contract";
import type { KeyRecord } from "../../storage/key-store";
import { conflict } from "../api-error";
import type { Caller } from "../authorization";
import { presentKey } from "../key-view";
import { type Mutation, mutate } from "../mutation";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { policyRefusal } from "../projects/policy-refusal";
import { effectivePolicy } from "../projects/project-policy";
import { verifierDigestOf } from "../verifier/verifier-keys";
import { keyEvent } from "../webhooks/webhook-event";
import { issuedSecret } from "./client-secret";
import { findKey, requireNotRevoked } from "./find-key";

/**
 * Issues a new secret. The one it replaces keeps verifying for the grace period (the request's,
 * else the key's rotation policy's, else none); any older secret stops now, so at most two secrets
 * verify at once (SPEC §2). One transaction: a crash leaves the old state or the new, never a key
 * without a valid secret (SPEC §9).
 */
export function rotateKey(services: Services, context: RequestContext & { caller: Caller }, id: string, request: RotateKeyRequest): Promise<RotateKeyResponse> {
  return mutate(services, context, async (m) => {
    const key = await findKey(m.stores, context.caller, id, { lock: true });
    requireNotRevoked(key);
    const policy = effectivePolicy(await m.stores.policies.get(key.project))[key.environment];
    const refused = gracePeriodViolation(policy, request.grace_period);
    if (refused) throw policyRefusal(key, [refused]);
    const rotation = await rotateLockedKey(services, m, key, { gracePeriod: request.grace_period ?? key.rotation?.grace_period, secret: request.secret });
    return {
      key: presentKey(rotation.key, m.now),
      secret: rotation.secret.reveal(),
      previous: { version: rotation.previousVersion, expires_at: rotation.previousExpiresAt.toISOString() },
    };
  });
}

export interface Rotation {
  key: KeyRecord;
  secret: Secret;
  previousVersion: number;
  previousExpiresAt: Date;
}

/** The rotation itself, for a key already found and locked in `m` (also used by leak response, with no grace). */
export async function rotateLockedKey(
  services: Services,
  m: Mutation,
  key: KeyRecord,
  options: { gracePeriod?: string | undefined; secret?: string | undefined; details?: Record<string, unknown> },
): Promise<Rotation> {
  const { gracePeriod, details = {} } = options;
  const secrets = await m.stores.secrets.listForKey(key.id);
  const current = secrets.find((secret) => secret.version === key.version && !secret.revokedAt);
  if (!current) throw conflict(`key '${key.id}' has no current secret to rotate`);
  // Checked before any write, so a refused secret changes nothing.
  const { secret, source } = await issuedSecret(services, m.stores, key.environment, options.secret);
  const policy = effectivePolicy(await m.stores.policies.get(key.project))[key.environment];
  const grace = graceOf(policy, gracePeriod, key.rotation?.grace_starts === "on_first_use");
  const graceEnd = new Date(m.now.getTime() + grace.untilMs);
  const previousExpiry = current.expiresAt && current.expiresAt < graceEnd ? current.expiresAt : graceEnd;
  for (const older of secrets) {
    if (older.version !== current.version && !older.revokedAt) await m.stores.secrets.update({ ...older, revokedAt: m.now });
  }
  await m.stores.secrets.update({ ...current, expiresAt: previousExpiry, graceStartedAt: grace.afterFirstUseMs === null ? m.now : null });

  const version = Math.max(...secrets.map((secret) => secret.version)) + 1;
  const digest = services.pepper.digest(secret.reveal());
  await m.stores.secrets.insert({
    digest,
    keyId: key.id,
    version,
    hint: secret.hint,
    expiresAt: null,
    revokedAt: null,
    createdAt: m.now,
    graceAfterFirstUseMs: grace.afterFirstUseMs,
  });
  await m.stores.verifier.recordDigest(digest, verifierDigestOf(services.pepper, key.project, secret.reveal()));
  const every = key.rotation ? parseDuration(key.rotation.every) : undefined;
  const rotated = {
    ...key,
    version,
    hint: secret.hint,
    rotatedAt: m.now,
    nextRotationAt: every ? new Date(m.now.getTime() + every) : null,
    updatedAt: m.now,
  };
  await m.stores.keys.update(rotated);
  await m.audit({
    action: "key.rotate",
    target: key.id,
    project: key.project,
    environment: key.environment,
    details: {
      version,
      previous_version: current.version,
      previous_expires_at: previousExpiry.toISOString(),
      ...(grace.afterFirstUseMs === null ? {} : { grace_starts: "on_first_use" }),
      secret_source: source,
      ...details,
    },
  });
  m.changed({ kind: "key", id: key.id });
  await m.emit(keyEvent("key.rotated", rotated, m.now));
  return { key: rotated, secret, previousVersion: current.version, previousExpiresAt: previousExpiry };
}

/**
 * How long the previous secret may verify. A policy's `max_grace_period` caps every grace (also a
 * key's own, set before the policy was tightened). A grace that starts at first use (SPEC §18)
 * keeps the previous secret until the cap, and the new secret's first successful verification
 * brings that end forward to one grace period after it (see `SecretStore.startGraceOnFirstUse`).
 */
function graceOf(policy: EnvironmentPolicy, gracePeriod: string | undefined, onFirstUse: boolean): { untilMs: number; afterFirstUseMs: number | null } {
  const longest = policy.max_grace_period ? (parseDuration(policy.max_grace_period) ?? Infinity) : Infinity;
  const graceMs = Math.min(gracePeriod ? (parseDuration(gracePeriod) ?? 0) : 0, longest);
  if (!onFirstUse || graceMs === 0) return { untilMs: graceMs, afterFirstUseMs: null };
  return { untilMs: parseDuration(policy.max_grace_period ?? DEFAULT_MAX_GRACE_PERIOD) ?? graceMs, afterFirstUseMs: graceMs };
}
