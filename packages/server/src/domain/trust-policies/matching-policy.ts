import type { TrustPolicyRecord } from "../../storage/trust-policy-store";

/** True when the token's `aud` (a string or a list) names the policy's audience. */
function hasAudience(claims: Readonly<Record<string, unknown>>, audience: string): boolean {
  const aud = claims.aud;
  return typeof aud === "string" ? aud === audience : Array.isArray(aud) && aud.includes(audience);
}

/** Every claim of the policy is present in the token as exactly that string. */
function hasClaims(claims: Readonly<Record<string, unknown>>, expected: Readonly<Record<string, string>>): boolean {
  return Object.entries(expected).every(([name, value]) => typeof claims[name] === "string" && claims[name] === value);
}

/**
 * The first policy (by name) that a verified ID token satisfies: same issuer, its audience, every
 * claim equal, not expired. Undefined when none does.
 */
export function matchingPolicy(
  policies: readonly TrustPolicyRecord[],
  token: { issuer: string; claims: Readonly<Record<string, unknown>> },
  now: Date,
): TrustPolicyRecord | undefined {
  return policies.find(
    (policy) =>
      policy.issuer === token.issuer &&
      (policy.expiresAt === null || policy.expiresAt > now) &&
      hasAudience(token.claims, policy.audience) &&
      hasClaims(token.claims, policy.claims),
  );
}
