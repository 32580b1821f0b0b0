import { z } from "zod";
import { PageQuery } from "./common";
import { Environment, ProjectName, Timestamp } from "./names";

export const AuditEvent = z.object({
  id: z.string().describe("The event's id."),
  seq: z.number().int().min(1).describe("The event's place in the log: 1, 2, 3… with no gaps."),
  time: Timestamp.describe("When it happened."),
  /** The management token id, or null for an unauthenticated caller. */
  actor: z.string().nullable().describe("The id of the management token that acted; null for an unauthenticated caller."),
  /** e.g. `key.create`, `key.rotate`, `auth.failed`. */
  action: z.string().describe("What happened, e.g. `key.create`, `key.rotate`, `auth.failed`.").meta({ examples: ["key.rotate"] }),
  target: z.string().nullable().describe("The id or name of the object acted on; null when none."),
  project: ProjectName.nullable().describe("The project acted on; null when none."),
  environment: Environment.nullable().describe("The environment acted on; null when none."),
  source_ip: z.string().nullable().describe("The caller's address; null when unknown."),
  request_id: z.string().describe("The request's id, as in the server log and the answer's `x-request-id`."),
  /** Never secret material. */
  details: z.record(z.string(), z.unknown()).describe("What changed, by field. Never secret material."),
  prev_hash: z.string().describe("The previous event's `hash` (the chain link)."),
  hash: z.string().describe("SHA-256 over this event and `prev_hash`."),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const ListAuditQuery = z.strictObject({
  project: ProjectName.optional().describe("Only events of this project."),
  action: z.string().max(64).optional().describe("Only events with this action, e.g. `key.rotate`."),
  since: Timestamp.optional().describe("Only events at or after this time."),
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
  kind: z.enum(["checkpoint", "purge"]).describe("`checkpoint`: the chain had this head. `purge`: every event up to `seq` was removed; the chain starts after it."),
  seq: z.number().int().min(0).describe("The seq of the chain's head (or of the last purged event)."),
  hash: z.string().regex(/^[0-9a-f]{64}$/, { error: "must be 64 lowercase hex characters" }).describe("The chain's hash at `seq`, 64 lowercase hex characters."),
  time: Timestamp.describe("When it was signed."),
  /**
   * A `checkpoint` also covers the events since the one before it in the same file: `from` is the
   * first seq covered, `digest` the SHA-256 (hex) of each event of `from`…`seq` as canonical JSON
   * (the export's fields, keys sorted), one per line. An auditor holding only the public key can so
   * check the content of every event up to the newest checkpoint, not only the links.
   */
  from: z.number().int().min(1).optional().describe("The first seq this checkpoint's `digest` covers."),
  digest: z.string().regex(/^[0-9a-f]{64}$/, { error: "must be 64 lowercase hex characters" }).optional().describe("SHA-256 (hex) of the events `from`…`seq` as canonical JSON lines."),
  /** First 16 hex characters of SHA-256 of the public key: which key signed it. */
  key_id: z.string().describe("First 16 hex characters of the SHA-256 of the signing public key."),
  signature: z.string().describe("Ed25519 signature, base64url."),
});
export type AuditCheckpoint = z.infer<typeof AuditCheckpoint>;

export const AuditVerification = z.object({
  ok: z.boolean().describe("True when every event links to the one before it and matches every signed checkpoint."),
  checked: z.number().int().min(0).describe("How many events were checked."),
  /** The first event that is not what the chain says (edited, inserted, reordered, or linked to a forged start). */
  first_bad: z.string().nullable().optional().describe("The id of the first event that is not what the chain says; absent or null when `ok`."),
  /** Events after this seq are missing: a signed checkpoint (or the chain head) names a later one. */
  truncated_after: z.number().int().min(0).nullable().optional().describe("Events after this seq are missing; absent or null when none are."),
  /** The newest signed checkpoint the chain was checked against; null when there is none yet. */
  checkpoint: z
    .object({ seq: z.number().int().min(0).describe("The checkpoint's seq."), time: Timestamp.describe("When it was signed.") })
    .nullable()
    .optional()
    .describe("The newest signed checkpoint the chain was checked against; null when there is none yet."),
});
export type AuditVerification = z.infer<typeof AuditVerification>;

export const ExportAuditQuery = z.strictObject({
  since: Timestamp.optional().describe("Only events at or after this time."),
});
export type ExportAuditQuery = z.infer<typeof ExportAuditQuery>;
