/**
 * Checks an OIDC ID token against its issuer (SPEC §14). The domain only sees this interface; the
 * implementation that fetches discovery documents and key sets is injected at start-up
 * (`oidc/oidc-id-token-verifier.ts`).
 */
export interface IdTokenVerifier {
  /** The issuers this server may contact, in the order configured. */
  readonly issuers: readonly string[];
  verify(jwt: string, now: Date): Promise<VerifiedIdToken | IdTokenRefusal>;
}

export interface VerifiedIdToken {
  readonly verified: true;
  readonly issuer: string;
  /** Every claim of the token; `exp`, `iat` and `jti` are present and checked. */
  readonly claims: Readonly<Record<string, unknown>>;
}

export type IdTokenRefusalReason =
  | "malformed"
  | "issuer_not_allowed"
  | "unknown_key"
  | "bad_signature"
  | "algorithm_not_allowed"
  | "expired"
  | "not_yet_valid"
  | "missing_claim"
  | "bad_claim";

export interface IdTokenRefusal {
  readonly verified: false;
  readonly reason: IdTokenRefusalReason;
  /** The claims as the token states them, unverified: for the audit trail only, never for a decision. */
  readonly unverifiedClaims: Readonly<Record<string, unknown>>;
}

/** The issuer could not be reached or answered nonsense: not the caller's fault, so not a 401. */
export class IssuerUnavailableError extends Error {
  constructor(readonly issuer: string, message: string) {
    super(message);
    this.name = "IssuerUnavailableError";
  }
}
