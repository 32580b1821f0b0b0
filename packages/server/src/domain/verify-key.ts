import { hasValidChecksum, KEY_SECRET_PATTERN, type VerificationCode, type VerifyRequest, type VerifyResponse } from "@keyward/contract";
import type { KeyRecord } from "../storage/key-store";
import type { SecretRecord } from "../storage/secret-store";
import { type Caller, sees } from "./authorization";
import { ipAllowed } from "./ip-allowlist";
import type { RateLimitOutcome } from "./rate-limiter";
import type { Services } from "./services";

/**
 * Verification is an answer, not an error: every well-formed request gets 200 with a code.
 * The hot path: a checksum test, one HMAC and a cache hit; no database round trip.
 */
export async function verifyKey(services: Services, caller: Caller, request: VerifyRequest): Promise<VerifyResponse> {
  // A mistyped or forged key is rejected offline, before any lookup (SPEC §2).
  if (!KEY_SECRET_PATTERN.test(request.key) || !hasValidChecksum(request.key)) return { valid: false, code: "NOT_FOUND" };
  const digest = services.pepper.digest(request.key);
  const { stores } = services.storage;
  const entry = await services.cache.key(digest, () => stores.secrets.lookup(digest));
  // Another project's or environment's key verifies exactly as an unknown one (SPEC §10).
  if (!entry || !sees(caller, entry.key)) return { valid: false, code: "NOT_FOUND" };
  const now = services.clock();
  const outcome = judge(services, entry.key, entry.secret, request, now);
  services.usage.recordVerification(entry.key.id, outcome.code, now, request.ip ?? null);
  return {
    valid: outcome.code === "VALID",
    code: outcome.code,
    key: {
      id: entry.key.id,
      name: entry.key.name,
      project: entry.key.project,
      environment: entry.key.environment,
      scopes: entry.key.scopes,
      metadata: entry.key.metadata,
      expires_at: earliest(entry.key.expiresAt, entry.secret.expiresAt)?.toISOString() ?? null,
    },
    ...(outcome.ratelimit ? { ratelimit: { limit: outcome.ratelimit.limit, remaining: outcome.ratelimit.remaining, reset: outcome.ratelimit.reset } } : {}),
  };
}

/** Revocation first, then expiry, network, scopes, and only a request that passed all of those spends rate limit. */
function judge(
  services: Services,
  key: KeyRecord,
  secret: SecretRecord,
  request: VerifyRequest,
  now: Date,
): { code: VerificationCode; ratelimit?: RateLimitOutcome } {
  if (key.revokedAt || secret.revokedAt) return { code: "REVOKED" };
  const expiry = earliest(key.expiresAt, secret.expiresAt);
  if (expiry && expiry <= now) return { code: "EXPIRED" };
  if (key.ipAllowlist && !ipAllowed(key.ipAllowlist, request.ip)) return { code: "IP_NOT_ALLOWED" };
  if (request.scopes?.some((scope) => !key.scopes.includes(scope))) return { code: "INSUFFICIENT_SCOPE" };
  if (!key.rateLimit) return { code: "VALID" };
  const ratelimit = services.rateLimiter.take(key.id, key.rateLimit, now.getTime());
  return { code: ratelimit.allowed ? "VALID" : "RATE_LIMITED", ratelimit };
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}
