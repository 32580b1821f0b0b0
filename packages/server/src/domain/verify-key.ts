import {
  hasMatchingChecksum,
  judgeVerification,
  KEY_SECRET_PATTERN,
  NOT_FOUND_ANSWER,
  type TakeRateLimit,
  verificationAnswer,
  type VerifyRequest,
  type VerifyResponse,
} from "@keyward/contract";
import { type Caller, sees } from "./authorization";
import type { KeyEntry } from "./verification-cache";
import type { Services } from "./services";

/**
 * Verification is an answer, not an error: every well-formed request gets 200 with a code.
 * The rules themselves live in the contract, shared with the SDK's in-process verifier.
 */
export async function verifyKey(services: Services, caller: Caller, request: VerifyRequest): Promise<VerifyResponse> {
  const digest = digestOf(services, request.key);
  if (digest === undefined) return NOT_FOUND_ANSWER;
  const entry = await services.cache.key(digest, () => services.storage.stores.secrets.lookup(digest));
  if (!entry || !sees(caller, entry.key)) return NOT_FOUND_ANSWER;
  const now = services.clock();
  const limit = entry.key.rateLimit;
  if (!limit || services.rateLimiter.ready(entry.key.id, limit, now.getTime())) return judge(services, request, entry, now);
  // A shared rate limit has to claim its share of the window first, and only a request the other
  // rules let through spends one: a first pass with a stand-in count finds out whether this one does.
  const reaches = judgeVerification(entry.key, entry.secret, request, now, standIn).ratelimit !== undefined;
  if (!reaches) return judge(services, request, entry, now);
  const outcome = await services.rateLimiter.takeAwaited(entry.key.id, limit, now.getTime());
  return judge(services, request, entry, now, () => outcome);
}

const standIn: TakeRateLimit = (_keyId, limit) => ({ allowed: true, limit: limit.requests, remaining: limit.requests, reset: 0 });

/**
 * The hot path, without a promise: a pattern and checksum test, one HMAC, and the cache or the
 * index of stored digests. Undefined when only the database can answer (a stored key not cached).
 */
export function verifyKeyFromMemory(services: Services, caller: Caller, request: VerifyRequest): VerifyResponse | undefined {
  const digest = digestOf(services, request.key);
  if (digest === undefined) return NOT_FOUND_ANSWER;
  const entry = services.cache.peekKey(digest);
  if (entry === undefined) return undefined;
  // Another project's or environment's key verifies exactly as an unknown one (SPEC §10).
  if (entry === null || !sees(caller, entry.key)) return NOT_FOUND_ANSWER;
  const now = services.clock();
  const limit = entry.key.rateLimit;
  if (limit && !services.rateLimiter.ready(entry.key.id, limit, now.getTime())) return undefined;
  return judge(services, request, entry, now);
}

/** A mistyped or forged key is rejected offline, before any lookup (SPEC §2). */
function digestOf(services: Services, key: string): string | undefined {
  if (!KEY_SECRET_PATTERN.test(key) || !hasMatchingChecksum(key)) return undefined;
  return services.pepper.digest(key);
}

function judge(services: Services, request: VerifyRequest, entry: KeyEntry, now: Date, take: TakeRateLimit = services.rateLimiter.take): VerifyResponse {
  const judgement = judgeVerification(entry.key, entry.secret, request, now, take);
  services.usage.recordVerification(entry.key.id, judgement.code, now, request.ip ?? null, 1, entry.secret.version);
  return verificationAnswer(entry.key, entry.secret, judgement);
}
