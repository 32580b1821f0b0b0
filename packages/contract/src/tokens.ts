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
}).meta({ description: "A management scope: what a token may do. `admin` holds them all.", examples: ["keys:read"] });
export type ManagementScope = z.infer<typeof ManagementScope>;

export const ManagementToken = z.object({
  id: TokenId.describe("The token's id."),
  name: KeyName.describe("The token's name."),
  scopes: z.array(ManagementScope).describe("Management scopes the token holds."),
  project: ProjectName.nullable().describe("The only project the token may act on; null for every project."),
  environment: Environment.nullable().describe("The only environment the token may act on; null for both."),
  hint: z.string().describe("The secret's prefix and last 4 characters.").meta({ examples: ["kwm_…9fXe"] }),
  expires_at: Timestamp.nullable().describe("When the token stops working; null for never."),
  created_at: Timestamp.describe("When the token was created."),
  last_used_at: Timestamp.nullable().describe("When the token last authenticated a request; null if never. Kept to the minute: a use within a minute after the recorded one is not written."),
});
export type ManagementToken = z.infer<typeof ManagementToken>;

export const CreateTokenRequest = z.strictObject({
  name: KeyName.describe("A name for the token, e.g. the system that will hold it."),
  scopes: z
    .array(ManagementScope)
    .min(1, { error: "must hold at least one management scope" })
    .refine((scopes) => new Set(scopes).size === scopes.length, { error: "must not repeat a scope" })
    .describe("Management scopes to grant, at least one, no repeats; each held by the calling token."),
  project: ProjectName.optional().describe("Bind the token to this existing project; absent for every project."),
  environment: Environment.optional().describe("Bind the token to this environment; absent for both."),
  expires_at: Timestamp.optional().describe("When the token stops working; a future time. Absent for never."),
}).meta({ examples: [{ name: "github-rotation", scopes: ["keys:read", "keys:rotate"], project: "billing-api", environment: "live" }] });
export type CreateTokenRequest = z.infer<typeof CreateTokenRequest>;

export const CreateTokenResponse = z.object({
  token: ManagementToken.describe("The token created."),
  secret: z.string().describe("The token's secret (`kwm_…`), shown this once: store it now.").meta({ examples: ["kwm_7Hd2Kp9Qx4Lm1Vb8Nz3Rt6Wc0Ys5Fg2Ja7Ue4Ko9Pq1Sd9fXe"] }),
});
export type CreateTokenResponse = z.infer<typeof CreateTokenResponse>;

export const TokenParams = z.strictObject({ id: TokenId.describe("The token's id.") });
export const ListTokensQuery = z.strictObject({ ...PageQuery });
