import { createHash } from "node:crypto";
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

/** Each event's hash covers its content and the previous hash: editing or removing one breaks every later link. */
export function auditHash(event: Omit<AuditRecord, "hash">): string {
  const content = canonicalJson([
    event.prevHash,
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
  ]);
  return createHash("sha256").update(content).digest("hex");
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
