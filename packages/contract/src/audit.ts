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

export const AuditVerification = z.object({
  ok: z.boolean().describe("True when every event links to the one before it."),
  checked: z.number().int().min(0).describe("How many events were checked."),
  first_bad: z.string().nullable().optional().describe("The id of the first event whose hash does not match; absent or null when `ok`."),
});
export type AuditVerification = z.infer<typeof AuditVerification>;
