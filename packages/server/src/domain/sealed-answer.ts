import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * A saved idempotent answer may hold a freshly issued secret (SPEC §2): AES-256-GCM with a key
 * derived from the pepper and the Idempotency-Key, authenticated with the token id so an answer
 * cannot be replayed to another token.
 */
export function sealAnswer(key: Buffer, tokenId: string, answer: unknown): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(tokenId, "utf8"));
  const body = Buffer.concat([cipher.update(JSON.stringify(answer), "utf8"), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]).toString("base64");
}

export function openAnswer(key: Buffer, tokenId: string, sealed: string): unknown {
  const bytes = Buffer.from(sealed, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, 12));
  decipher.setAAD(Buffer.from(tokenId, "utf8"));
  decipher.setAuthTag(bytes.subarray(12, 28));
  return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8"));
}
