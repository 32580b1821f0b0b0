import type { RateLimit } from "./common";
import { ipAllowed } from "./ip-allowlist";
import type { VerificationCode, VerifyRequest, VerifyResponse } from "./verify";

/**
 * The rules of verification, written once: the server's `POST /v1/verify` and the SDK's in-process
 * verifier both judge with these, so the two cannot answer differently (SPEC §16).
 */

/** What the rules need to know of a key; the server's stored key and the verifier's snapshot both have it. */
export interface VerifiableKey {
  readonly id: string;
  readonly name: string;
  readonly project: string;
  readonly environment: "test" | "live";
  readonly scopes: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly ipAllowlist: readonly string[] | null;
  readonly rateLimit: RateLimit | null;
}

/** One version of a key's secret: the current one, or the previous one during a grace period. */
export interface VerifiableSecret {
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

export interface RateLimitOutcome {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the current window ends, in milliseconds since the epoch. */
  reset: number;
}

/** Spends one verification of a key's rate limit; the server's and the verifier's counters differ, the rule does not. */
export type TakeRateLimit = (keyId: string, limit: RateLimit, now: number) => RateLimitOutcome;

export interface Judgement {
  readonly code: VerificationCode;
  readonly ratelimit?: RateLimitOutcome;
}

/** Revocation first, then expiry, network, scopes, and only a request that passed all of those spends rate limit. */
export function judgeVerification(
  key: VerifiableKey,
  secret: VerifiableSecret,
  request: Pick<VerifyRequest, "scopes" | "ip">,
  now: Date,
  takeRateLimit: TakeRateLimit,
): Judgement {
  if (key.revokedAt || secret.revokedAt) return { code: "REVOKED" };
  const expiry = earliest(key.expiresAt, secret.expiresAt);
  if (expiry && expiry <= now) return { code: "EXPIRED" };
  if (key.ipAllowlist && !ipAllowed(key.ipAllowlist, request.ip)) return { code: "IP_NOT_ALLOWED" };
  if (request.scopes?.some((scope) => !key.scopes.includes(scope))) return { code: "INSUFFICIENT_SCOPE" };
  if (!key.rateLimit) return { code: "VALID" };
  const ratelimit = takeRateLimit(key.id, key.rateLimit, now.getTime());
  return { code: ratelimit.allowed ? "VALID" : "RATE_LIMITED", ratelimit };
}

/** The answer for a secret that belongs to a key the caller may see. */
export function verificationAnswer(key: VerifiableKey, secret: VerifiableSecret, judgement: Judgement): VerifyResponse {
  const { code, ratelimit } = judgement;
  return {
    valid: code === "VALID",
    code,
    key: {
      id: key.id,
      name: key.name,
      project: key.project,
      environment: key.environment,
      scopes: [...key.scopes],
      metadata: { ...key.metadata },
      expires_at: earliest(key.expiresAt, secret.expiresAt)?.toISOString() ?? null,
    },
    ...(ratelimit ? { ratelimit: { limit: ratelimit.limit, remaining: ratelimit.remaining, reset: ratelimit.reset } } : {}),
  };
}

/** The answer for a secret that is malformed, unknown, or outside the caller's authority: all look the same. */
export const NOT_FOUND_ANSWER: VerifyResponse = Object.freeze({ valid: false, code: "NOT_FOUND" });

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}
