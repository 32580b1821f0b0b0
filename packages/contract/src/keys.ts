import { z } from "zod";
import { Cidr, Metadata, PageQuery, QueryBoolean, RateLimit, Rotation } from "./common";
import { Duration } from "./duration";
import { Environment, KeyId, KeyName, ProjectName, ScopeName, Timestamp } from "./names";

export const keyStatuses = ["active", "expired", "revoked"] as const;
export const KeyStatus = z.enum(keyStatuses, { error: "must be 'active', 'expired' or 'revoked'" });
export type KeyStatus = z.infer<typeof KeyStatus>;

const ScopeList = z
  .array(ScopeName)
  .max(256, { error: "must hold at most 256 scopes" })
  .refine((scopes) => new Set(scopes).size === scopes.length, { error: "must not repeat a scope" });
const IpAllowlist = z.array(Cidr).max(256, { error: "must hold at most 256 CIDR blocks" });

export const ApiKey = z.object({
  id: KeyId,
  project: ProjectName,
  environment: Environment,
  name: KeyName,
  scopes: z.array(ScopeName),
  status: KeyStatus,
  version: z.number().int().min(1),
  hint: z.string(),
  expires_at: Timestamp.nullable(),
  rotation: Rotation.nullable(),
  rotated_at: Timestamp.nullable(),
  next_rotation_at: Timestamp.nullable(),
  rotation_due: z.boolean(),
  ip_allowlist: z.array(Cidr).nullable(),
  rate_limit: RateLimit.nullable(),
  metadata: z.record(z.string(), z.string()),
  created_at: Timestamp,
  updated_at: Timestamp,
  last_used_at: Timestamp.nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const CreateKeyRequest = z.strictObject({
  project: ProjectName,
  environment: Environment,
  name: KeyName,
  scopes: ScopeList,
  expires_at: Timestamp.optional(),
  rotation: Rotation.optional(),
  ip_allowlist: IpAllowlist.optional(),
  rate_limit: RateLimit.optional(),
  metadata: Metadata.optional(),
});
export type CreateKeyRequest = z.infer<typeof CreateKeyRequest>;

/** The one time a secret travels: the answer of a create or a rotation. */
export const CreateKeyResponse = z.object({ key: ApiKey, secret: z.string() });
export type CreateKeyResponse = z.infer<typeof CreateKeyResponse>;

/** PATCH: an absent field stays as it is; `null` clears an optional setting. */
export const UpdateKeyRequest = z.strictObject({
  name: KeyName.optional(),
  scopes: ScopeList.optional(),
  expires_at: Timestamp.nullable().optional(),
  rotation: Rotation.nullable().optional(),
  ip_allowlist: IpAllowlist.nullable().optional(),
  rate_limit: RateLimit.nullable().optional(),
  metadata: Metadata.optional(),
});
export type UpdateKeyRequest = z.infer<typeof UpdateKeyRequest>;

export const RotateKeyRequest = z.strictObject({ grace_period: Duration.optional() });
export type RotateKeyRequest = z.infer<typeof RotateKeyRequest>;

export const RotateKeyResponse = z.object({
  key: ApiKey,
  secret: z.string(),
  previous: z.object({ version: z.number().int().min(1), expires_at: Timestamp.nullable() }),
});
export type RotateKeyResponse = z.infer<typeof RotateKeyResponse>;

export const KeyParams = z.strictObject({ id: KeyId });

export const ListKeysQuery = z.strictObject({
  project: ProjectName.optional(),
  environment: Environment.optional(),
  status: KeyStatus.optional(),
  rotation_due: QueryBoolean.optional(),
  name: KeyName.optional(),
  ...PageQuery,
});
export type ListKeysQuery = z.infer<typeof ListKeysQuery>;
