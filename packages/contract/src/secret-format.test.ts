import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { crc32 } from "node:zlib";
import { KEY_SECRET_PATTERN, TOKEN_SECRET_PATTERN, base62, composeSecret, hasValidChecksum, hintOf, keySecretPrefix } from "./secret-format";

describe("secret format", () => {
  it("composes kw_<env>_ + 43 + 6 base62 characters with a valid checksum", () => {
    const secret = composeSecret(keySecretPrefix("live"), randomBytes(32));
    expect(secret).toMatch(KEY_SECRET_PATTERN);
    expect(secret).toHaveLength("kw_live_".length + 49);
    expect(hasValidChecksum(secret)).toBe(true);
  });

  it("checks the checksum in integer arithmetic exactly as the BigInt base62 writes it", () => {
    for (let i = 0; i < 2_000; i += 1) {
      const text = `kw_live_${randomBytes(40).toString("base64").replace(/[^0-9A-Za-z]/g, "0").slice(0, 43)}`;
      const secret = text + base62(BigInt(crc32(text)), 6);
      expect(hasValidChecksum(secret)).toBe(true);
      expect(hasValidChecksum(text + base62(BigInt((crc32(text) + 1) % 2 ** 32), 6))).toBe(false);
    }
    // The largest CRC32 still fits the six digits.
    expect(base62(BigInt(2 ** 32 - 1), 6)).toHaveLength(6);
  });

  it("keeps the full width for all-zero and all-one bytes", () => {
    expect(composeSecret("kwm_", new Uint8Array(32))).toMatch(TOKEN_SECRET_PATTERN);
    expect(composeSecret("kwm_", new Uint8Array(32).fill(255))).toMatch(TOKEN_SECRET_PATTERN);
  });

  it("rejects a mistyped character, a swapped environment and a foreign format", () => {
    const secret = composeSecret(keySecretPrefix("test"), randomBytes(32));
    const index = 12;
    const typo = secret.slice(0, index) + (secret[index] === "a" ? "b" : "a") + secret.slice(index + 1);
    expect(hasValidChecksum(typo)).toBe(false);
    expect(hasValidChecksum(secret.replace("kw_test_", "kw_live_"))).toBe(false);
    expect(hasValidChecksum("sk_live_abc")).toBe(false);
  });

  it("hints with the prefix and the last four characters only", () => {
    const secret = composeSecret(keySecretPrefix("live"), randomBytes(32));
    expect(hintOf(secret)).toBe(`kw_live_…${secret.slice(-4)}`);
    expect(hintOf(composeSecret("kwm_", randomBytes(32)))).toMatch(/^kwm_….{4}$/);
  });
});
