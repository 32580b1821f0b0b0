import { z } from "zod";
import { PageQuery } from "./common";
import { parseDuration } from "./duration";
import { Environment, KeyName, ProjectName, Timestamp, TokenId } from "./names";
import { ManagementScope, ManagementToken } from "./tokens";

/**
 * Trust policies and the token exchange of SPEC §14: an external workload (a GitHub Actions job)
 * presents an OIDC ID token and receives a short-lived management token, so no long-lived token
 * has to be stored as a secret.
 */

/** The issuer of GitHub Actions ID tokens, trusted by default (SPEC §14). */
export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";

/**
 * A policy must pin an identity that cannot be re-registered: repository names can be taken over
 * after a rename or deletion, numeric ids cannot; `sub` is the issuer's own subject.
 */
export const BINDING_CLAIMS = ["repository_id", "repository_owner_id", "sub"] as const;

/** Checked by the exchange itself, never by a policy's claim map. */
export const REGISTERED_CLAIMS = ["iss", "aud", "exp", "nbf", "iat", "jti"] as const;

export const TRUST_POLICY_MAX_TTL_MS = 3_600_000;
export const TRUST_POLICY_DEFAULT_TTL = "15m";

export const CLAIM_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;

export const ClaimName = z
  .string()
  .regex(CLAIM_NAME_PATTERN, { error: "claim names must be 1-64 characters: a letter or '_', then letters, digits or '_', '.', ':', '-'" })
  .refine((name) => !(REGISTERED_CLAIMS as readonly string[]).includes(name), {
    error: `claim names must not be ${REGISTERED_CLAIMS.join(", ")}: the exchange checks those itself`,
  });

export const TrustPolicyClaims = z
  .record(ClaimName, z.string().min(1, { error: "claim values must not be empty" }).max(512, { error: "claim values are at most 512 characters" }))
  .refine((claims) => Object.keys(claims).length <= 32, { error: "must have at most 32 entries" })
  .refine((claims) => BINDING_CLAIMS.some((name) => name in claims), {
    error: `must include at least one of ${BINDING_CLAIMS.join(", ")} (repository names can be re-registered; ids cannot)`,
  })
  .describe(
    "Claims the ID token must carry, each equal to the given string (exact match), e.g. {\"repository_id\": \"123456\", \"ref\": \"refs/heads/main\"}. At least one of repository_id, repository_owner_id or sub is required.",
  );

export const IssuerUrl = z
  .url({ protocol: /^https?$/, error: "must be an http or https URL such as https://token.actions.githubusercontent.com" })
  .max(512, { error: "must be at most 512 characters" })
  .refine((text) => !text.endsWith("/") && !text.includes("?") && !text.includes("#"), {
    error: "must be the issuer exactly as in the token's iss claim: no trailing '/', query or fragment",
  })
  .describe("The OIDC issuer, exactly as the ID token's `iss` claim; the server must list it in its --oidc-issuer allowlist.");

export const TrustPolicyTtl = z
  .string()
  .refine((text) => (parseDuration(text) ?? Infinity) <= TRUST_POLICY_MAX_TTL_MS, {
    error: "must be a duration such as 90s, 15m or 1h, at most 1h",
  })
  .describe("Lifetime of the tokens this policy mints (at most 1h, default 15m); never longer than the ID token's remaining life.");

const PolicyScopes = z
  .array(ManagementScope)
  .min(1, { error: "must hold at least one management scope" })
  .refine((scopes) => new Set(scopes).size === scopes.length, { error: "must not repeat a scope" })
  .describe("Management scopes of the minted tokens; the creator must hold each of them.");

export const TrustPolicy = z
  .object({
    name: KeyName.describe("The policy's name, unique on the server."),
    issuer: IssuerUrl,
    audience: z.string().describe("The `aud` the ID token must carry."),
    claims: z.record(z.string(), z.string()).describe("Claims the ID token must carry, exact match."),
    scopes: z.array(ManagementScope).describe("Management scopes of the minted tokens."),
    project: ProjectName.nullable().describe("The project minted tokens are bound to, or null."),
    environment: Environment.nullable().describe("The environment minted tokens are bound to, or null."),
    ttl: z.string().describe("Lifetime of minted tokens."),
    expires_at: Timestamp.nullable().describe("When the policy stops matching: the expiry of the token that created it, or null."),
    created_by: TokenId.nullable().describe("The management token that last wrote the policy."),
    created_at: Timestamp.describe("When the policy was created."),
    updated_at: Timestamp.describe("When the policy was last changed."),
  })
  .describe("Which external workloads may exchange an OIDC ID token for a short-lived management token (SPEC §14).");
export type TrustPolicy = z.infer<typeof TrustPolicy>;

export const PutTrustPolicyRequest = z
  .strictObject({
    issuer: IssuerUrl,
    audience: z
      .string()
      .min(1, { error: "must not be empty" })
      .max(512, { error: "must be at most 512 characters" })
      .describe("The `aud` the ID token must carry, e.g. the key service URL."),
    claims: TrustPolicyClaims,
    scopes: PolicyScopes,
    project: ProjectName.optional().describe("Bind minted tokens to this project (default: the creator's binding)."),
    environment: Environment.optional().describe("Bind minted tokens to this environment (default: the creator's binding)."),
    ttl: TrustPolicyTtl.optional(),
  })
  .describe("Create or replace a trust policy.")
  .meta({
    examples: [
      {
        issuer: "https://token.actions.githubusercontent.com",
        audience: "https://keyward.example.com",
        claims: { repository_id: "123456", ref: "refs/heads/main", environment: "production" },
        scopes: ["keys:read", "keys:rotate"],
        project: "billing-api",
        environment: "live",
        ttl: "15m",
      },
    ],
  });
export type PutTrustPolicyRequest = z.infer<typeof PutTrustPolicyRequest>;

export const TrustPolicyParams = z.strictObject({ name: KeyName.describe("The policy's name.") });
export const ListTrustPoliciesQuery = z.strictObject({ ...PageQuery });

export const ExchangeTokenRequest = z
  .strictObject({
    jwt: z
      .string()
      .min(1, { error: "must be an OIDC ID token (a signed JWT)" })
      .max(16_384, { error: "must be at most 16384 characters" })
      .describe("An OIDC ID token, e.g. from core.getIDToken(audience) in a GitHub Actions job."),
  })
  .describe("Exchange an OIDC ID token for a short-lived management token.")
  .meta({ examples: [{ jwt: "eyJhbGciOiJSUzI1NiIsImtpZCI6ImtleS0xIn0.eyJpc3MiOiJodHRwczovL3Rva2VuLmFjdGlvbnMuZ2l0aHVidXNlcmNvbnRlbnQuY29tIn0.c2lnbmF0dXJl" }] });
export type ExchangeTokenRequest = z.infer<typeof ExchangeTokenRequest>;

export const ExchangeTokenResponse = z
  .object({
    token: ManagementToken.describe("The minted management token (never its secret)."),
    secret: z.string().describe("The minted token's secret (kwm_…), in this answer only."),
    expires_at: Timestamp.describe("When the minted token stops working."),
  })
  .describe("A short-lived management token minted under the matching trust policy.");
export type ExchangeTokenResponse = z.infer<typeof ExchangeTokenResponse>;
