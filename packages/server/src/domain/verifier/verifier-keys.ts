import { createHmac } from "node:crypto";
import type { Pepper } from "../pepper";

/**
 * The per-project verifier key (SPEC §16): HKDF-SHA256 of the pepper with an info label that names
 * the project. It is handed to in-process verifiers, so it must be useless for anything else: HKDF
 * is one-way, so it reveals neither the pepper (storage digests stay uncomputable) nor the key of
 * another project (another label).
 */
export function verifierKeyOf(pepper: Pepper, project: string): Buffer {
  return pepper.derive(`keyward verifier v1 project:${project}`);
}

/** What a verifier looks a presented secret up by: HMAC-SHA256 under the project's verifier key. */
export function verifierDigestOf(pepper: Pepper, project: string, secret: string): string {
  return createHmac("sha256", verifierKeyOf(pepper, project)).update(secret).digest("hex");
}
