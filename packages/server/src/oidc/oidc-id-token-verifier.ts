import { createRemoteJWKSet, decodeJwt, errors, type JWTVerifyGetKey, jwtVerify } from "jose";
import { type IdTokenRefusal, type IdTokenRefusalReason, type IdTokenVerifier, IssuerUnavailableError, type VerifiedIdToken } from "../domain/id-token-verifier";

export interface OidcIssuerOptions {
  /** The issuers this server may contact (`--oidc-issuer`); a token from any other is refused unread. */
  readonly issuers: readonly string[];
  /** Least time between two key-set fetches of one issuer when a token names an unknown `kid`. @default 30000 */
  readonly jwksCooldownMs?: number;
  /** How long a fetched key set is trusted before it is fetched again. @default 600000 */
  readonly jwksMaxAgeMs?: number;
  /** Per request to an issuer. @default 5000 */
  readonly timeoutMs?: number;
  /** Discovery documents are fetched with it. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** SPEC §14: `exp`, `nbf` and `iat` are checked with this much leeway. */
const LEEWAY_SECONDS = 60;
/** An ID token is for immediate use; GitHub's live for minutes. */
const MAX_TOKEN_AGE = "1h";
/** Asymmetric signatures only: a key set holds public keys, so `none` and HMAC can never verify. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

/**
 * Verifies OIDC ID tokens with jose: each allowlisted issuer's key set is found through
 * `<issuer>/.well-known/openid-configuration` once, cached, and re-fetched by jose when a token
 * names a key it does not hold (the issuer rotated its keys).
 */
export class OidcIdTokenVerifier implements IdTokenVerifier {
  readonly issuers: readonly string[];
  readonly #options: OidcIssuerOptions;
  readonly #keySets = new Map<string, Promise<JWTVerifyGetKey>>();

  constructor(options: OidcIssuerOptions) {
    this.issuers = [...new Set(options.issuers)];
    this.#options = options;
  }

  async verify(jwt: string, now: Date): Promise<VerifiedIdToken | IdTokenRefusal> {
    let unverified: Record<string, unknown>;
    try {
      unverified = decodeJwt(jwt);
    } catch {
      return refusal("malformed", {});
    }
    const issuer = unverified.iss;
    if (typeof issuer !== "string" || !this.issuers.includes(issuer)) return refusal("issuer_not_allowed", unverified);
    const keySet = await this.#keySetOf(issuer);
    try {
      const { payload } = await jwtVerify(jwt, keySet, {
        issuer,
        algorithms: ALGORITHMS,
        clockTolerance: LEEWAY_SECONDS,
        maxTokenAge: MAX_TOKEN_AGE,
        currentDate: now,
        requiredClaims: ["exp", "iat", "jti"],
      });
      if (typeof payload.jti !== "string" || payload.jti === "") return refusal("bad_claim", unverified);
      return { verified: true, issuer, claims: payload };
    } catch (error) {
      const reason = reasonOf(error);
      if (!reason) throw new IssuerUnavailableError(issuer, `could not fetch the signing keys of ${issuer}`);
      return refusal(reason, unverified);
    }
  }

  #keySetOf(issuer: string): Promise<JWTVerifyGetKey> {
    let keySet = this.#keySets.get(issuer);
    if (!keySet) {
      keySet = this.#discover(issuer);
      this.#keySets.set(issuer, keySet);
      // A failed discovery is tried again by the next exchange, not remembered.
      keySet.catch(() => this.#keySets.delete(issuer));
    }
    return keySet;
  }

  async #discover(issuer: string): Promise<JWTVerifyGetKey> {
    const timeoutMs = this.#options.timeoutMs ?? 5_000;
    const fetcher = this.#options.fetch ?? globalThis.fetch;
    let document: unknown;
    try {
      const response = await fetcher(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(timeoutMs), redirect: "error" });
      if (!response.ok) throw new Error(`status ${response.status}`);
      document = await response.json();
    } catch {
      throw new IssuerUnavailableError(issuer, `could not read the OpenID configuration of ${issuer}`);
    }
    const { issuer: stated, jwks_uri: jwksUri } = (document ?? {}) as { issuer?: unknown; jwks_uri?: unknown };
    // OpenID Connect Discovery 1.0 §4.3: the document must name the issuer it was fetched for.
    if (stated !== issuer || typeof jwksUri !== "string" || !URL.canParse(jwksUri)) {
      throw new IssuerUnavailableError(issuer, `the OpenID configuration of ${issuer} does not name this issuer and a jwks_uri`);
    }
    const url = new URL(jwksUri);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && issuer.startsWith("http:"))) {
      throw new IssuerUnavailableError(issuer, `the jwks_uri of ${issuer} must use https`);
    }
    return createRemoteJWKSet(url, {
      timeoutDuration: timeoutMs,
      cooldownDuration: this.#options.jwksCooldownMs ?? 30_000,
      cacheMaxAge: this.#options.jwksMaxAgeMs ?? 600_000,
    });
  }
}

function refusal(reason: IdTokenRefusalReason, unverifiedClaims: Record<string, unknown>): IdTokenRefusal {
  return { verified: false, reason, unverifiedClaims };
}

/** Why jose refused the token, or undefined when the failure was fetching the keys. */
function reasonOf(error: unknown): IdTokenRefusalReason | undefined {
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf" || error.claim === "iat") return error.reason === "missing" ? "missing_claim" : "not_yet_valid";
    return error.reason === "missing" ? "missing_claim" : "bad_claim";
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return "unknown_key";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "bad_signature";
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return "algorithm_not_allowed";
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return "malformed";
  return undefined;
}
