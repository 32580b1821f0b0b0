import { describe, expect, it } from "vitest";
import { findSecrets } from "./secret-forms";

const secret = "kw_live_4fJ9sQ2mXcV8bN1zL7kP0wR3tY6uH5gE2dA9sF1qW8eZ3x";

describe("findSecrets", () => {
  it("finds a secret in every encoded form, base64 at any alignment", () => {
    const haystacks = [
      `x ${secret} y`,
      ...["", "a", "ab", "abc"].map((prefix) => Buffer.from(`${prefix}${secret}tail`).toString("base64")),
      Buffer.from(`u:${secret}`).toString("base64url"),
      Buffer.from(secret).toString("hex"),
      encodeURIComponent(`a/${secret}`),
      JSON.stringify({ value: secret }),
    ];
    for (const haystack of haystacks) expect(findSecrets({ secret }, haystack), haystack).not.toEqual([]);
  });

  it("finds nothing in text without the secret", () => {
    expect(findSecrets({ secret }, `kw_live_…${secret.slice(-4)} ${Buffer.from("other").toString("base64")}`)).toEqual([]);
  });
});
