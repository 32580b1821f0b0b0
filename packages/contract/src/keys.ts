import { z } from "zod";
import { Cidr, Metadata, PageQuery, QueryBoolean, RateLimit, Rotation } from "./common";
import { Duration } from "./duration";
import { Environment, KeyId, KeyName, ProjectName, ScopeName, Timestamp } from "./names";

export const keyStatuses = ["active", "expired", "revoked"] as const;
export const KeyStatus = z.enum(keyStatuses, { error: "must be 'active', 'expired' or 'revoked'" }).meta({ description: "`active` (verifies), `expired` (past `expires_at`) or `revoked`.", examples: ["active"] });
export type KeyStatus = z.infer<typeof KeyStatus>;

const ScopeList = z
  .array(ScopeName)
  .max(256, { error: "must hold at most 256 scopes" })
  .refine((scopes) => new Set(scopes).size === scopes.length, { error: "must not repeat a scope" })
  .meta({ description: "Scopes the key holds, each declared in the project's catalog; at most 256, no repeats.", examples: [["invoices:read", "invoices:write"]] });
const IpAllowlist = z
  .array(Cidr)
  .max(256, { error: "must hold at most 256 CIDR blocks" })
  .meta({ description: "CIDR blocks the key verifies from (at most 256); a verification from elsewhere answers IP_NOT_ALLOWED.", examples: [["10.0.0.0/8"]] });

export const ApiKey = z.object({
  id: KeyId.describe("The key's id; permanent."),
  project: ProjectName.describe("The project the key belongs to."),
  environment: Environment.describe("The key's environment, shown in its secret's prefix."),
  name: KeyName.describe("The key's name, unique among the project's keys in this environment that are not revoked."),
  scopes: z.array(ScopeName).describe("Scopes the key holds."),
  status: KeyStatus.describe("Whether the key verifies."),
  version: z.number().int().min(1).describe("The current secret's version: 1 at creation, one more per rotation.").meta({ examples: [3] }),
  hint: z.string().describe("The current secret's prefix and last 4 characters, to tell secrets apart; never enough to use.").meta({ examples: ["kw_live_…x7Qa"] }),
  expires_at: Timestamp.nullable().describe("When the key stops verifying for good; null for never."),
  rotation: Rotation.nullable().describe("The rotation schedule; null when the key is rotated only on demand."),
  rotated_at: Timestamp.nullable().describe("When the current secret was issued by a rotation; null before the first rotation."),
  next_rotation_at: Timestamp.nullable().describe("When the next rotation is due; null without a schedule."),
  rotation_due: z.boolean().describe("True when `next_rotation_at` has passed."),
  ip_allowlist: z.array(Cidr).nullable().describe("CIDR blocks the key verifies from; null for anywhere."),
  rate_limit: RateLimit.nullable().describe("The key's rate limit; null for none."),
  metadata: z.record(z.string(), z.string()).describe("The key's free-form labels."),
  created_at: Timestamp.describe("When the key was created."),
  updated_at: Timestamp.describe("When the key was last changed."),
  last_used_at: Timestamp.nullable().describe("When a secret of the key last verified successfully; null if never."),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const CreateKeyRequest = z.strictObject({
  project: ProjectName.describe("An existing project."),
  environment: Environment.describe("The key's environment; its secret starts `kw_<environment>_`."),
  name: KeyName.describe("A name unique among the project's keys in this environment that are not revoked."),
  scopes: ScopeList,
  expires_at: Timestamp.optional().describe("When the key stops verifying; a future time. Absent for never."),
  rotation: Rotation.optional().describe("A rotation schedule; absent for rotation on demand only."),
  ip_allowlist: IpAllowlist.optional(),
  rate_limit: RateLimit.optional().describe("A rate limit on the key's verifications; absent for none."),
  metadata: Metadata.optional(),
}).meta({
  examples: [{ project: "billing-api", environment: "live", name: "ci-deployer", scopes: ["invoices:read"], rotation: { every: "30d", grace_period: "24h" } }],
});
export type CreateKeyRequest = z.infer<typeof CreateKeyRequest>;

/** The one time a secret travels: the answer of a create or a rotation. */
export const CreateKeyResponse = z.object({
  key: ApiKey.describe("The key created."),
  secret: z.string().describe("The key's secret, shown this once: store it now. `kw_<environment>_`, 43 base62 characters, a 6-character checksum.").meta({ examples: ["kw_live_3f9Kq2ZrT8mVx1Lp6Wn0Yb4Hc7Ds5Ga9Ue2Jk8Rt1Qx7Qa"] }),
});
export type CreateKeyResponse = z.infer<typeof CreateKeyResponse>;

/** PATCH: an absent field stays as it is; `null` clears an optional setting. */
export const UpdateKeyRequest = z.strictObject({
  name: KeyName.optional().describe("A new name, unique among the project's keys in this environment."),
  scopes: ScopeList.optional().describe("The full new list of scopes, each declared in the project's catalog."),
  expires_at: Timestamp.nullable().optional().describe("A new future expiry; null for never."),
  rotation: Rotation.nullable().optional().describe("A new rotation schedule; null to stop scheduled rotation."),
  ip_allowlist: IpAllowlist.nullable().optional().describe("A new allowlist; null to allow every address."),
  rate_limit: RateLimit.nullable().optional().describe("A new rate limit; null for none."),
  metadata: Metadata.optional().describe("The full new set of labels (replaces the old set)."),
}).meta({ examples: [{ scopes: ["invoices:read", "invoices:write"], expires_at: null }] });
export type UpdateKeyRequest = z.infer<typeof UpdateKeyRequest>;

export const RotateKeyRequest = z.strictObject({
  grace_period: Duration.optional().describe("How long the previous secret keeps verifying, overriding the key's own grace period for this rotation."),
}).meta({ examples: [{ grace_period: "24h" }] });
export type RotateKeyRequest = z.infer<typeof RotateKeyRequest>;

export const RotateKeyResponse = z.object({
  key: ApiKey.describe("The key after the rotation."),
  secret: z.string().describe("The new secret, shown this once: store it now.").meta({ examples: ["kw_live_3f9Kq2ZrT8mVx1Lp6Wn0Yb4Hc7Ds5Ga9Ue2Jk8Rt1Qx7Qa"] }),
  previous: z
    .object({
      version: z.number().int().min(1).describe("The previous secret's version."),
      expires_at: Timestamp.nullable().describe("When the previous secret stops verifying; null when it already has."),
    })
    .describe("The secret this rotation replaced, still valid for the grace period."),
});
export type RotateKeyResponse = z.infer<typeof RotateKeyResponse>;

export const KeyParams = z.strictObject({ id: KeyId.describe("The key's id.") });

export const ListKeysQuery = z.strictObject({
  project: ProjectName.optional().describe("Only keys of this project."),
  environment: Environment.optional().describe("Only keys of this environment."),
  status: KeyStatus.optional().describe("Only keys with this status."),
  rotation_due: QueryBoolean.optional().describe("`true`: only keys whose rotation is due; `false`: only keys whose rotation is not due."),
  name: KeyName.optional().describe("Only keys with this name (with `project` and `environment`, at most one key that is not revoked)."),
  ...PageQuery,
});
export type ListKeysQuery = z.infer<typeof ListKeysQuery>;
