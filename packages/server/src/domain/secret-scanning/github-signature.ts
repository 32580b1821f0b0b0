import { type KeyObject, verify } from "node:crypto";

/** Where GitHub's signing keys come from (`network/github-public-keys.ts`), by key identifier. */
export interface SigningKeyDirectory {
  find(identifier: string): Promise<KeyObject | undefined>;
}

/**
 * GitHub signs each secret scanning alert: `Github-Public-Key-Signature` is the base64 DER ECDSA
 * signature (P-256, SHA-256) of the raw request body, by the key named in
 * `Github-Public-Key-Identifier`. Verified over the exact bytes received, before any parsing.
 */
export async function hasValidGithubSignature(
  keys: SigningKeyDirectory,
  rawBody: Buffer,
  identifier: string | undefined,
  signature: string | undefined,
): Promise<boolean> {
  if (!identifier || !signature || identifier.length > 256 || signature.length > 512) return false;
  const key = await keys.find(identifier);
  if (!key) return false;
  try {
    return verify("sha256", rawBody, { key, dsaEncoding: "der" }, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}
