import { crc32 } from "node:zlib";
import type { Environment } from "./names";

/**
 * The secret format of SPEC §2: `kw_<env>_` (API keys) or `kwm_` (management tokens), then 43
 * base62 characters holding 256 random bits, then 6 base62 characters of the CRC32 of everything
 * before them. The checksum lets anyone reject a mistyped or forged key offline and gives secret
 * scanners an exact pattern.
 */
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const SECRET_BODY_LENGTH = 43;
export const SECRET_CHECKSUM_LENGTH = 6;
export const KEY_SECRET_PATTERN = /^kw_(test|live)_[0-9A-Za-z]{49}$/;
export const TOKEN_SECRET_PATTERN = /^kwm_[0-9A-Za-z]{49}$/;

export function keySecretPrefix(environment: Environment): string {
  return `kw_${environment}_`;
}
export const TOKEN_SECRET_PREFIX = "kwm_";

/** Fixed-width base62 of a non-negative integer. */
export function base62(value: bigint, width: number): string {
  let digits = "";
  let rest = value;
  while (rest > 0n) {
    digits = BASE62[Number(rest % 62n)] + digits;
    rest /= 62n;
  }
  if (digits.length > width) throw new RangeError(`value does not fit in ${width} base62 digits`);
  return digits.padStart(width, "0");
}

/**
 * Base62 of the CRC32 in plain integer arithmetic: a CRC32 is below 2^32, well inside a double's
 * exact range, and this runs on every verification (BigInt division would cost more than the HMAC).
 */
function checksumOf(text: string): string {
  let rest = crc32(text);
  let digits = "";
  for (let i = 0; i < SECRET_CHECKSUM_LENGTH; i += 1) {
    digits = BASE62[rest % 62] + digits;
    rest = Math.floor(rest / 62);
  }
  return digits;
}

/** Builds a secret from a prefix and 32 random bytes. */
export function composeSecret(prefix: string, randomBytes: Uint8Array): string {
  if (randomBytes.length !== 32) throw new RangeError("a secret needs exactly 32 random bytes");
  const body = base62(BigInt(`0x${Buffer.from(randomBytes).toString("hex")}`), SECRET_BODY_LENGTH);
  return `${prefix}${body}${checksumOf(prefix + body)}`;
}

/** True when `text` has the shape of a key or token secret and its checksum matches. */
export function hasValidChecksum(text: string): boolean {
  if (!KEY_SECRET_PATTERN.test(text) && !TOKEN_SECRET_PATTERN.test(text)) return false;
  return hasMatchingChecksum(text);
}

/** The checksum test alone, for a caller that has already matched `KEY_SECRET_PATTERN` or `TOKEN_SECRET_PATTERN`. */
export function hasMatchingChecksum(text: string): boolean {
  const cut = text.length - SECRET_CHECKSUM_LENGTH;
  return text.endsWith(checksumOf(text.slice(0, cut)));
}

/** What may be shown of a secret: its prefix and last 4 characters (`kw_live_…abcd`). */
export function hintOf(secret: string): string {
  const prefix = secret.startsWith(TOKEN_SECRET_PREFIX) ? TOKEN_SECRET_PREFIX : secret.slice(0, secret.indexOf("_", 3) + 1);
  return `${prefix}…${secret.slice(-4)}`;
}

/**
 * Why a client-supplied key secret (SPEC §13) is refused, or undefined when its shape, checksum and
 * environment are right. Never the value itself: the caller names the rule.
 */
export function keySecretProblem(text: string, environment: Environment): string | undefined {
  if (!KEY_SECRET_PATTERN.test(text)) return "must be a key secret: kw_test_ or kw_live_, then 49 letters or digits";
  if (!hasValidChecksum(text)) return "has a checksum that does not match (mistyped or forged)";
  if (!text.startsWith(keySecretPrefix(environment))) return `must be a secret for the key's environment (${keySecretPrefix(environment)}…)`;
  return undefined;
}
