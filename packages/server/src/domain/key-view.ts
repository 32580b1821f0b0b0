import { type ApiKey, type Destination, describeDestination, destinationIdentity, type KeyStatus, parseDuration } from "@keyward/contract";
import type { KeyRecord } from "../storage/key-store";

export function keyStatus(key: KeyRecord, now: Date): KeyStatus {
  if (key.revokedAt) return "revoked";
  if (key.expiresAt && key.expiresAt <= now) return "expired";
  return "active";
}

/** When the next rotation is due: one `every` after the last rotation (or creation). */
export function nextRotationAt(key: Pick<KeyRecord, "rotation" | "rotatedAt" | "createdAt">): Date | null {
  if (!key.rotation) return null;
  const every = parseDuration(key.rotation.every) ?? 0;
  return new Date((key.rotatedAt ?? key.createdAt).getTime() + every);
}

export function rotationDue(key: KeyRecord, now: Date): boolean {
  return key.revokedAt === null && key.nextRotationAt !== null && key.nextRotationAt <= now;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** The API's view of a key: never a secret, only its hint. */
export function presentKey(key: KeyRecord, now: Date): ApiKey {
  return {
    id: key.id,
    project: key.project,
    environment: key.environment,
    name: key.name,
    scopes: key.scopes,
    status: keyStatus(key, now),
    version: key.version,
    hint: key.hint,
    expires_at: iso(key.expiresAt),
    // An unset grace_starts (immediately) is left out, so a rotation reads as it was declared.
    rotation: key.rotation && { every: key.rotation.every, grace_period: key.rotation.grace_period, ...(key.rotation.grace_starts ? { grace_starts: key.rotation.grace_starts } : {}) },
    rotated_at: iso(key.rotatedAt),
    next_rotation_at: iso(key.nextRotationAt),
    rotation_due: rotationDue(key, now),
    ip_allowlist: key.ipAllowlist,
    rate_limit: key.rateLimit,
    metadata: key.metadata,
    destinations: key.destinations,
    created_at: key.createdAt.toISOString(),
    updated_at: key.updatedAt.toISOString(),
    last_used_at: iso(key.lastUsedAt),
  };
}


/** Audit details of a key's destinations: where its secret goes, never a value. */
export function destinationDetails(destinations: readonly Destination[]): Record<string, unknown> {
  return destinations.length === 0 ? {} : { destinations: destinations.map(describeDestination) };
}

/** Reviewers care about a secret going to a new place (an exposure widening), so the audit event names it. */
export function destinationChange(before: readonly Destination[], after: readonly Destination[]): Record<string, unknown> {
  const known = new Set(before.map(destinationIdentity));
  const kept = new Set(after.map(destinationIdentity));
  const added = after.filter((destination) => !known.has(destinationIdentity(destination))).map(describeDestination);
  const removed = before.filter((destination) => !kept.has(destinationIdentity(destination))).map(describeDestination);
  return added.length + removed.length === 0 ? {} : { destinations_added: added, destinations_removed: removed };
}
