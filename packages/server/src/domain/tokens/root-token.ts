import type { TokenRecord } from "../../storage/token-store";
import type { Services } from "../services";

/**
 * A new `admin` token bound to nothing, as `keyward init` creates it and `keyward token recover`
 * mints it again: the record to store (only the digest) and the plaintext, shown once.
 */
export function newRootToken(services: Services, name: string, now: Date): { token: TokenRecord; secret: string } {
  const secret = services.issuer.tokenSecret();
  const token: TokenRecord = {
    id: services.issuer.id("tok"),
    name,
    scopes: ["admin"],
    project: null,
    environment: null,
    digest: services.pepper.digest(secret.reveal()),
    hint: secret.hint,
    expiresAt: null,
    createdAt: now,
    lastUsedAt: null,
    revokedAt: null,
  };
  return { token, secret: secret.reveal() };
}
