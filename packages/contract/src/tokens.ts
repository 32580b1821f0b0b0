import { z } from "zod";
import { PageQuery } from "./common";
import { Environment, KeyName, ProjectName, Timestamp, TokenId } from "./names";

export const managementScopes = [
  "admin",
  "projects:write",
  "scopes:write",
  "keys:read",
  "keys:write",
  "keys:rotate",
  "keys:revoke",
  "keys:verify",
  "audit:read",
  "tokens:write",
  "webhooks:write",
] as const;
export const ManagementScope = z.enum(managementScopes, {
  error: `must be one of ${managementScopes.join(", ")}`,
});
export type ManagementScope = z.infer<typeof ManagementScope>;

export const ManagementToken = z.object({
  id: TokenId,
  name: KeyName,
  scopes: z.array(ManagementScope),
  project: ProjectName.nullable(),
  environment: Environment.nullable(),
  hint: z.string(),
  expires_at: Timestamp.nullable(),
  created_at: Timestamp,
  last_used_at: Timestamp.nullable(),
});
export type ManagementToken = z.infer<typeof ManagementToken>;

export const CreateTokenRequest = z.strictObject({
  name: KeyName,
  scopes: z
    .array(ManagementScope)
    .min(1, { error: "must hold at least one management scope" })
    .refine((scopes) => new Set(scopes).size === scopes.length, { error: "must not repeat a scope" }),
  project: ProjectName.optional(),
  environment: Environment.optional(),
  expires_at: Timestamp.optional(),
});
export type CreateTokenRequest = z.infer<typeof CreateTokenRequest>;

export const CreateTokenResponse = z.object({ token: ManagementToken, secret: z.string() });
export type CreateTokenResponse = z.infer<typeof CreateTokenResponse>;

export const TokenParams = z.strictObject({ id: TokenId });
export const ListTokensQuery = z.strictObject({ ...PageQuery });
