import { createHash, createHmac } from "node:crypto";
import type { AuditEvent } from "@keyward/contract";
import type { AuditRecord } from "../storage/audit-store";

export const GENESIS_HASH = "0".repeat(64);

/** JSON with object keys sorted, so a hash does not depend on how a database reorders jsonb. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

type AuditContent = Omit<AuditRecord, "hash" | "prevHash">;

/** Everything an event says, in one fixed order. */
function fieldsOf(event: AuditContent): unknown[] {
  return [
    event.seq,
    event.id,
    event.time.toISOString(),
    event.actor,
    event.action,
    event.target,
    event.project,
    event.environment,
    event.sourceIp,
    event.requestId,
    event.details,
  ];
}

export function canonicalEvent(event: AuditContent): string {
  return canonicalJson(fieldsOf(event));
}

/**
 * SPEC §12: `HMAC-SHA256(audit_key, prev_hash ‖ canonical(event))`. The key is derived from the
 * pepper, which is not in the database: whoever can write the database but not read the pepper
 * cannot recompute a chain that verifies after editing, inserting or removing an event.
 */
export function keyedAuditHash(chainKey: Buffer, event: Omit<AuditRecord, "hash">): string {
  return createHmac("sha256", chainKey).update(event.prevHash).update(canonicalEvent(event)).digest("hex");
}

/**
 * The unkeyed SHA-256 of releases before the keyed chain. Events recorded before the upgrade keep
 * it (see `AUDIT_KEYED_FROM_SETTING`); the first keyed event's HMAC covers the last of them.
 */
export function legacyAuditHash(event: Omit<AuditRecord, "hash">): string {
  return createHash("sha256").update(canonicalJson([event.prevHash, ...fieldsOf(event)])).digest("hex");
}

export function presentAuditEvent(event: AuditRecord): AuditEvent {
  return {
    id: event.id,
    seq: event.seq,
    time: event.time.toISOString(),
    actor: event.actor,
    action: event.action,
    target: event.target,
    project: event.project,
    environment: event.environment,
    source_ip: event.sourceIp,
    request_id: event.requestId,
    details: event.details,
    prev_hash: event.prevHash,
    hash: event.hash,
  };
}
