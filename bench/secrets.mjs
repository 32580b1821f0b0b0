// Well-formed key secrets for the benchmark (SPEC §2 format: prefix, 43 base62, 6 base62 CRC32),
// made from a counter so the load generator and the target agree on them without passing 100,000
// strings around. `bench/verify.mjs` checks a sample against the contract's own checksum test.
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function base62Int(value, width) {
  let digits = "";
  for (let rest = value; rest > 0; rest = Math.floor(rest / 62)) digits = BASE62[rest % 62] + digits;
  return digits.padStart(width, "0");
}

/** The `index`-th secret of the family `family` (e.g. "stored", "unknown-<run>"). */
export function benchSecret(family, index) {
  const bytes = createHash("sha512").update(`${family}:${index}`).digest();
  let body = "";
  for (let i = 0; i < 43; i += 1) body += BASE62[bytes[i] % 62];
  const text = `kw_live_${body}`;
  return text + base62Int(crc32(text), 6);
}
