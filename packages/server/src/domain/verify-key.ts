import {
  hasValidChecksum,
  judgeVerification,
  KEY_SECRET_PATTERN,
  NOT_FOUND_ANSWER,
  verificationAnswer,
  type VerifyRequest,
  type VerifyResponse,
} from "@keyward/contract";
import { type Caller, sees } from "./authorization";
import type { Services } from "./services";

/**
 * Verification is an answer, not an error: every well-formed request gets 200 with a code.
 * The hot path: a checksum test, one HMAC and a cache hit; no database round trip.
 * The rules themselves live in the contract, shared with the SDK's in-process verifier.
 */
export async function verifyKey(services: Services, caller: Caller, request: VerifyRequest): Promise<VerifyResponse> {
  // A mistyped or forged key is rejected offline, before any lookup (SPEC §2).
  if (!KEY_SECRET_PATTERN.test(request.key) || !hasValidChecksum(request.key)) return NOT_FOUND_ANSWER;
  const digest = services.pepper.digest(request.key);
  const { stores } = services.storage;
  const entry = await services.cache.key(digest, () => stores.secrets.lookup(digest));
  // Another project's or environment's key verifies exactly as an unknown one (SPEC §10).
  if (!entry || !sees(caller, entry.key)) return NOT_FOUND_ANSWER;
  const now = services.clock();
  const judgement = judgeVerification(entry.key, entry.secret, request, now, (keyId, limit, at) => services.rateLimiter.take(keyId, limit, at));
  services.usage.recordVerification(entry.key.id, judgement.code, now, request.ip ?? null, 1, entry.secret.version);
  return verificationAnswer(entry.key, entry.secret, judgement);
}
