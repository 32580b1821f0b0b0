import type { Caller } from "./authorization";

/** A saved answer is looked up and stored per token and Idempotency-Key. */
export interface IdempotentRequest {
  tokenId: string;
  /** HMAC digest of the Idempotency-Key: the key itself is never stored. */
  keyDigest: string;
  /** What the request asked for; the same key with a different request is a conflict. */
  fingerprint: string;
  sealingKey: Buffer;
  /** The success status the saved answer is replayed with. */
  status: number;
}

/** Who is asking and from where: what every audit event records. */
export interface RequestContext {
  caller: Caller | null;
  requestId: string;
  sourceIp: string | null;
  idempotency?: IdempotentRequest;
}
