import type { ExchangeTokenResponse } from "@keyward/contract";
import type { TrustPolicyRecord } from "../../storage/trust-policy-store";
import { appendAudit, type Mutation, mutate } from "../mutation";
import type { IdTokenRefusalReason } from "../id-token-verifier";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { presentToken } from "../token-view";
import { matchingPolicy } from "../trust-policies/matching-policy";

export type ExchangeRefusalReason = IdTokenRefusalReason | "no_matching_policy" | "replayed";

export type ExchangeOutcome =
  | { accepted: true; answer: ExchangeTokenResponse }
  | { accepted: false; reason: ExchangeRefusalReason };

/** The ID token's own leeway for `exp`, `nbf` and `iat` (SPEC §14). */
export const ID_TOKEN_LEEWAY_MS = 60_000;

/** What an audit event may say of an ID token: who ran what, never the token itself. */
function describedClaims(claims: Readonly<Record<string, unknown>>): Record<string, string | null> {
  const text = (name: string) => {
    const value = claims[name];
    return typeof value === "string" || typeof value === "number" ? String(value).slice(0, 256) : null;
  };
  return { issuer: text("iss"), sub: text("sub"), repository: text("repository"), run_id: text("run_id") };
}

/**
 * `POST /v1/tokens/exchange` (SPEC §14): a verified OIDC ID token that satisfies a trust policy buys
 * a management token with the policy's authority, living for the policy's TTL but never beyond the
 * ID token's own expiry. Each ID token (`iss`, `jti`) is accepted once. Every outcome is audited;
 * a refusal is an answer (`accepted: false`) so the route can count it as a failed authentication.
 */
export async function exchangeToken(services: Services, context: RequestContext, jwt: string): Promise<ExchangeOutcome> {
  const now = services.clock();
  const verified = await services.idTokens.verify(jwt, now);
  if (!verified.verified) return refuse(services, context, verified.reason, describedClaims(verified.unverifiedClaims), null, false);
  const described = describedClaims(verified.claims);
  const policies = await services.storage.stores.trustPolicies.forIssuer(verified.issuer);
  const policy = matchingPolicy(policies, verified, now);
  if (!policy) return refuse(services, context, "no_matching_policy", described, null, true);
  const idTokenExpiry = new Date((verified.claims.exp as number) * 1000);
  const expiresAt = new Date(Math.min(now.getTime() + policy.ttlMs, idTokenExpiry.getTime(), policy.expiresAt?.getTime() ?? Infinity));
  if (expiresAt <= now) return refuse(services, context, "expired", described, policy.name, true);
  const answer = await mutate(services, context, async (m) => {
    // Kept until the ID token can no longer pass the expiry check, leeway included.
    const claimed = await m.stores.trustPolicies.claimJti(verified.issuer, verified.claims.jti as string, new Date(idTokenExpiry.getTime() + ID_TOKEN_LEEWAY_MS));
    if (!claimed) return undefined;
    return mint(services, m, policy, expiresAt, described);
  });
  if (!answer) return refuse(services, context, "replayed", described, policy.name, true);
  return { accepted: true, answer };
}

async function mint(
  services: Services,
  m: Mutation,
  policy: TrustPolicyRecord,
  expiresAt: Date,
  described: Record<string, string | null>,
): Promise<ExchangeTokenResponse> {
  const secret = services.issuer.tokenSecret();
  const token = {
    id: services.issuer.id("tok"),
    name: policy.name,
    scopes: policy.scopes,
    project: policy.project,
    environment: policy.environment,
    digest: services.pepper.digest(secret.reveal()),
    hint: secret.hint,
    expiresAt,
    createdAt: m.now,
    lastUsedAt: null,
    revokedAt: null,
  };
  await m.stores.tokens.insert(token);
  await m.audit({
    action: "token.exchange",
    target: token.id,
    project: token.project,
    environment: token.environment,
    details: { policy: policy.name, ...described, scopes: token.scopes, expires_at: expiresAt.toISOString() },
  });
  return { token: presentToken(token), secret: secret.reveal(), expires_at: expiresAt.toISOString() };
}

async function refuse(
  services: Services,
  context: RequestContext,
  reason: ExchangeRefusalReason,
  described: Record<string, string | null>,
  policy: string | null,
  verified: boolean,
): Promise<ExchangeOutcome> {
  await services.storage.transaction((stores) =>
    appendAudit(stores, services, context, {
      action: "token.exchange_refused",
      target: policy,
      project: null,
      environment: null,
      // Unverified claims are what the token says about itself; `claims_verified` tells them apart.
      details: { reason, policy, ...described, claims_verified: verified },
    }, services.clock()),
  );
  return { accepted: false, reason };
}
