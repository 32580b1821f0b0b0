import {
  environments,
  hasValidChecksum,
  keySecretPrefix,
  SECRET_BODY_LENGTH,
  SECRET_CHECKSUM_LENGTH,
  TOKEN_SECRET_PREFIX,
} from "@keyward/contract";

export type KeywardSecretKind = "api-key" | "management-token";

/** One checksum-valid Keyward secret in a text; `range` is `[start, end)` in UTF-16 code units. */
export interface KeywardSecretFinding {
  readonly kind: KeywardSecretKind;
  readonly secret: string;
  readonly range: readonly [start: number, end: number];
}

/**
 * A candidate is a Keyward prefix and 49 base62 characters that no letter, digit or `_` touches
 * on either side, so `xkw_live_…` or a secret with one character too many is not a candidate:
 * both are some other, longer token. The prefixes come from the contract so a new environment is
 * scanned for as soon as it can be issued.
 */
const candidatePattern = new RegExp(
  `(?<![0-9A-Za-z_])(?:${[...environments.map(keySecretPrefix), TOKEN_SECRET_PREFIX].join("|")})` +
    `[0-9A-Za-z]{${SECRET_BODY_LENGTH + SECRET_CHECKSUM_LENGTH}}(?![0-9A-Za-z_])`,
  "g",
);

/**
 * Finds every Keyward secret in `text` whose CRC32 checksum (SPEC §2) holds: a mistyped, truncated
 * or made-up look-alike fails the checksum and is not reported.
 */
export function findKeywardSecrets(text: string): KeywardSecretFinding[] {
  const findings: KeywardSecretFinding[] = [];
  for (const match of text.matchAll(candidatePattern)) {
    const secret = match[0];
    if (!hasValidChecksum(secret)) continue;
    const kind = secret.startsWith(TOKEN_SECRET_PREFIX) ? "management-token" : "api-key";
    findings.push({ kind, secret, range: [match.index, match.index + secret.length] });
  }
  return findings;
}
