import { z } from "zod";
import { PageQuery } from "./common";
import { Environment, ProjectName, Timestamp } from "./names";

export const AuditEvent = z.object({
  id: z.string(),
  seq: z.number().int().min(1),
  time: Timestamp,
  /** The management token id, or null for an unauthenticated caller. */
  actor: z.string().nullable(),
  /** e.g. `key.create`, `key.rotate`, `auth.failed`. */
  action: z.string(),
  target: z.string().nullable(),
  project: ProjectName.nullable(),
  environment: Environment.nullable(),
  source_ip: z.string().nullable(),
  request_id: z.string(),
  /** Never secret material. */
  details: z.record(z.string(), z.unknown()),
  prev_hash: z.string(),
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const ListAuditQuery = z.strictObject({
  project: ProjectName.optional(),
  action: z.string().max(64).optional(),
  since: Timestamp.optional(),
  ...PageQuery,
});
export type ListAuditQuery = z.infer<typeof ListAuditQuery>;

/**
 * A signed statement that the chain had `hash` at `seq` at `time` (SPEC §12). The server appends one
 * every N events, on demand and on shutdown to a file outside the database; `keyward purge` signs
 * one for the last event it removes (the chain's new start). Signature: Ed25519 over
 * `["keyward.audit.<kind>.v1", seq, hash, time, from, digest]` (null when absent) as canonical JSON (sorted keys, no spaces), base64url.
 */
export const AuditCheckpoint = z.object({
  /** `checkpoint`: the chain had this head. `purge`: `keyward purge` removed every event up to `seq`; the chain now starts after it. */
  kind: z.enum(["checkpoint", "purge"]),
  seq: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/, { error: "must be 64 lowercase hex characters" }),
  time: Timestamp,
  /**
   * A `checkpoint` also covers the events since the one before it in the same file: `from` is the
   * first seq covered, `digest` the SHA-256 (hex) of each event of `from`…`seq` as canonical JSON
   * (the export's fields, keys sorted), one per line. An auditor holding only the public key can so
   * check the content of every event up to the newest checkpoint, not only the links.
   */
  from: z.number().int().min(1).optional(),
  digest: z.string().regex(/^[0-9a-f]{64}$/, { error: "must be 64 lowercase hex characters" }).optional(),
  /** First 16 hex characters of SHA-256 of the public key: which key signed it. */
  key_id: z.string(),
  signature: z.string(),
});
export type AuditCheckpoint = z.infer<typeof AuditCheckpoint>;

export const AuditVerification = z.object({
  ok: z.boolean(),
  checked: z.number().int().min(0),
  /** The first event that is not what the chain says (edited, inserted, reordered, or linked to a forged start). */
  first_bad: z.string().nullable().optional(),
  /** Events after this seq are missing: a signed checkpoint (or the chain head) names a later one. */
  truncated_after: z.number().int().min(0).nullable().optional(),
  /** The newest signed checkpoint the chain was checked against; null when there is none yet. */
  checkpoint: z.object({ seq: z.number().int().min(0), time: Timestamp }).nullable().optional(),
});
export type AuditVerification = z.infer<typeof AuditVerification>;

export const ExportAuditQuery = z.strictObject({
  since: Timestamp.optional(),
});
export type ExportAuditQuery = z.infer<typeof ExportAuditQuery>;
