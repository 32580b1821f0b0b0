import { hasValidChecksum, TOKEN_SECRET_PATTERN } from "@keyward/contract";
import type { TokenRecord } from "../../storage/token-store";
import { Pepper } from "../pepper";
import type { Services } from "../services";

export type AuthenticationFailure = "missing" | "malformed" | "unknown" | "revoked" | "expired";

/** The management token in an `Authorization: Bearer kwm_…` header, or why there is none. */
export async function authenticate(services: Services, header: string | undefined): Promise<TokenRecord | AuthenticationFailure> {
  if (!header) return "missing";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const secret = match?.[1];
  if (!secret) return "malformed";
  // A token seen before passed the format and checksum tests then; its digest is remembered.
  const digest = services.pepper.rememberedDigest(secret) ?? checkedDigest(services, secret);
  if (!digest) return "malformed";
  const token = await services.cache.token(digest, () => services.storage.stores.tokens.findByDigest(digest));
  if (!token || !Pepper.sameDigest(token.digest, digest)) return "unknown";
  if (token.revokedAt) return "revoked";
  const now = services.clock();
  if (token.expiresAt && token.expiresAt <= now) return "expired";
  services.usage.recordTokenUse(token.id, now);
  return token;
}

/**
 * The same answer from memory alone, for the verify path: the token when it was seen before and is
 * cached and valid, else undefined (then `authenticate` decides, with the database if need be).
 * A cached token was found by its digest, which is the cache's key, so no second comparison is due.
 * `now` is the request's instant, when the caller has read it already (the clock is read once a request).
 */
export function authenticateFromMemory(services: Services, header: string | undefined, now: Date = services.clock()): TokenRecord | undefined {
  if (header === undefined || !header.startsWith("Bearer ")) return undefined;
  const digest = services.pepper.rememberedDigest(header.slice(7));
  if (digest === undefined) return undefined;
  const token = services.cache.peekToken(digest);
  if (!token || token.revokedAt) return undefined;
  if (token.expiresAt && token.expiresAt <= now) return undefined;
  services.usage.recordTokenUse(token.id, now);
  return token;
}

function checkedDigest(services: Services, secret: string): string | undefined {
  if (!TOKEN_SECRET_PATTERN.test(secret) || !hasValidChecksum(secret)) return undefined;
  return services.pepper.rememberDigest(secret);
}
