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

export const AuditVerification = z.object({
  ok: z.boolean(),
  checked: z.number().int().min(0),
  first_bad: z.string().nullable().optional(),
});
export type AuditVerification = z.infer<typeof AuditVerification>;
