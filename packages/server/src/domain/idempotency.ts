import { createHash } from "node:crypto";
import { UniqueViolationError } from "../storage/database-error";
import { IDEMPOTENCY_TTL_MS } from "../storage/idempotency-store";
import { badRequest, conflict } from "./api-error";
import { canonicalJson } from "./audit-chain";
import type { Caller } from "./authorization";
import type { IdempotentRequest } from "./request-context";
import { openAnswer } from "./sealed-answer";
import type { Services } from "./services";

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** What an `Idempotency-Key` header binds: this token, this key, this exact request. */
export function idempotentRequest(services: Services, caller: Caller, header: string, operation: string, input: unknown, status: number): IdempotentRequest {
  if (!KEY_PATTERN.test(header)) throw badRequest("headers.idempotency-key", "must be 1-255 printable ASCII characters");
  return {
    tokenId: caller.id,
    keyDigest: services.pepper.digest(`idempotency-key:${header}`),
    fingerprint: createHash("sha256").update(canonicalJson([operation, input])).digest("hex"),
    sealingKey: services.pepper.sealingKey(header),
    status,
  };
}

/** The answer saved by an earlier request with the same key, if there is one from the last 24 h. */
export async function savedAnswer(services: Services, request: IdempotentRequest): Promise<{ status: number; body: unknown } | undefined> {
  const notBefore = new Date(services.clock().getTime() - IDEMPOTENCY_TTL_MS);
  const record = await services.storage.stores.idempotency.find(request.tokenId, request.keyDigest, notBefore);
  if (!record) return undefined;
  if (record.fingerprint !== request.fingerprint) {
    throw conflict("this Idempotency-Key was already used for a different request; use a new key for a new request");
  }
  return { status: record.status, body: openAnswer(request.sealingKey, request.tokenId, record.sealed) };
}

/** True for the error a concurrent duplicate gets when the first request's answer is already saved. */
export function isDuplicateAnswer(error: unknown): boolean {
  return error instanceof UniqueViolationError && error.constraint.startsWith("idempotency_records");
}
