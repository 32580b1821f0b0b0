import {
  hasMatchingChecksum,
  judgeVerification,
  KEY_SECRET_PATTERN,
  NOT_FOUND_ANSWER,
  type TakeRateLimit,
  type VerificationCode,
  verificationAnswer,
  type VerifyRequest,
  type VerifyResponse,
} from "@keyward/contract";
import { type Caller, sees } from "./authorization";
import type { KeyEntry } from "./verification-cache";
import type { Services } from "./services";
import type { VerifiableSecretRecord } from "../storage/secret-store";

/**
 * Verification is an answer, not an error: every well-formed request gets 200 with a code.
 * The rules themselves live in the contract, shared with the SDK's in-process verifier.
 */
export async function verifyKey(services: Services, caller: Caller, request: VerifyRequest): Promise<VerifyResponse> {
  const digest = digestOf(services, request.key);
  if (digest === undefined) return NOT_FOUND_ANSWER;
  const entry = await services.cache.key(digest, () => services.storage.stores.secrets.findVerifiable(digest).then(entryOf));
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

/** A found secret as the cache holds it: the same shape as the entries it starts with (see `keyward.ts`). */
const entryOf = (found: VerifiableSecretRecord | undefined): KeyEntry | undefined => found && { key: found.key, secret: found.secret };

const standIn: TakeRateLimit = (_keyId, limit) => ({ allowed: true, limit: limit.requests, remaining: limit.requests, reset: 0 });

/** A verification answer and its JSON text, as the hot path sends it, with the text's length in bytes as the header is written. */
export interface AnswerText {
  readonly code: VerificationCode;
  readonly text: string;
  readonly contentLength: string;
}

export function answerTextOf(answer: VerifyResponse): AnswerText {
  const text = JSON.stringify(answer);
  return { code: answer.code, text, contentLength: String(Buffer.byteLength(text)) };
}

const NOT_FOUND_TEXT: AnswerText = Object.freeze(answerTextOf(NOT_FOUND_ANSWER));

/**
 * Each code's answer for a cached entry, made once: without a rate limit in it, the answer is a
 * function of the entry and the code alone (the rules still judge every request). At most one
 * short text per code per entry, held only as long as the entry object itself: a change to the
 * key evicts that object from the cache and the next read stores a new one, so a text never
 * outlives the key as it was when made. The answer object itself is kept, so a request that
 * reuses it allocates nothing for it.
 */
const answerTexts = new WeakMap<KeyEntry, Partial<Record<VerificationCode, AnswerText>>>();

/**
 * The hot path, without a promise: one HMAC (none for a secret remembered with its cached entry),
 * and the cache or the index of stored digests (the pattern and checksum tests only for a secret
 * the cache does not hold). Undefined when only the database can answer (a stored key not cached).
 * `now` is the request's instant, read once by the caller.
 */
export function verifyKeyFromMemory(services: Services, caller: Caller, request: VerifyRequest, now: Date): AnswerText | undefined {
  const { key } = request;
  const remembered = services.cache.rememberedDigest(key);
  const digest = remembered ?? services.pepper.digest(key);
  const entry = services.cache.peekKey(digest);
  // A cached entry was found by the HMAC of an issued secret, whose format and checksum are right
  // by construction: only a secret memory does not hold has them tested, and a wrong one is
  // refused before any database lookup, as `digestOf` refuses it (SPEC §2).
  if (!entry) return entry === undefined && KEY_SECRET_PATTERN.test(key) && hasMatchingChecksum(key) ? undefined : NOT_FOUND_TEXT;
  if (remembered === undefined) services.cache.rememberSecret(digest, key);
  // Another project's or environment's key verifies exactly as an unknown one (SPEC §10).
  if (!sees(caller, entry.key)) return NOT_FOUND_TEXT;
  const limit = entry.key.rateLimit;
  if (limit && !services.rateLimiter.ready(entry.key.id, limit, now.getTime())) return undefined;
  const judgement = judgeVerification(entry.key, entry.secret, request, now, services.rateLimiter.take);
  record(services, request, entry, judgement.code, now);
  if (judgement.ratelimit) return answerTextOf(verificationAnswer(entry.key, entry.secret, judgement));
  let texts = answerTexts.get(entry);
  if (!texts) answerTexts.set(entry, (texts = {}));
  return (texts[judgement.code] ??= answerTextOf(verificationAnswer(entry.key, entry.secret, judgement)));
}

/** A mistyped or forged key is rejected offline, before any lookup (SPEC §2). */
function digestOf(services: Services, key: string): string | undefined {
  if (!KEY_SECRET_PATTERN.test(key) || !hasMatchingChecksum(key)) return undefined;
  return services.pepper.digest(key);
}

function judge(services: Services, request: VerifyRequest, entry: KeyEntry, now: Date, take: TakeRateLimit = services.rateLimiter.take): VerifyResponse {
  const judgement = judgeVerification(entry.key, entry.secret, request, now, take);
  record(services, request, entry, judgement.code, now);
  return verificationAnswer(entry.key, entry.secret, judgement);
}

/** The entry goes along as the use's basis: a cached entry is replaced by any change to its key (see `UsageRecorder.write`). */
function record(services: Services, request: VerifyRequest, entry: KeyEntry, code: VerificationCode, now: Date): void {
  services.usage.recordVerification(entry.key.id, code, now, request.ip ?? null, 1, entry.secret.version, entry);
}
