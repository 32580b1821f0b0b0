import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KEY_SECRET_PATTERN, TOKEN_SECRET_PATTERN, composeSecret, hasValidChecksum, hintOf, keySecretPrefix } from "./secret-format";

describe("secret format", () => {
  it("composes kw_<env>_ + 43 + 6 base62 characters with a valid checksum", () => {
    const secret = composeSecret(keySecretPrefix("live"), randomBytes(32));
    expect(secret).toMatch(KEY_SECRET_PATTERN);
    expect(secret).toHaveLength("kw_live_".length + 49);
    expect(hasValidChecksum(secret)).toBe(true);
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
