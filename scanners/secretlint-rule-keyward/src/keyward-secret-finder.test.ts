import { randomBytes } from "node:crypto";
import { composeSecret, keySecretPrefix, TOKEN_SECRET_PREFIX } from "@keyward/contract";
import { describe, expect, it } from "vitest";
import { findKeywardSecrets } from "./keyward-secret-finder";

describe("findKeywardSecrets", () => {
  it("reports each checksum-valid secret with its kind and exact range", () => {
    const key = composeSecret(keySecretPrefix("test"), randomBytes(32));
    const token = composeSecret(TOKEN_SECRET_PREFIX, randomBytes(32));
    const text = `é — key="${key}"\ntoken: ${token}`;
    expect(findKeywardSecrets(text)).toEqual([
      { kind: "api-key", secret: key, range: [text.indexOf(key), text.indexOf(key) + key.length] },
      { kind: "management-token", secret: token, range: [text.indexOf(token), text.length] },
    ]);
  });

  it("finds two secrets one character apart and a secret that is the whole text", () => {
    const first = composeSecret(keySecretPrefix("live"), randomBytes(32));
    const second = composeSecret(keySecretPrefix("live"), randomBytes(32));
    expect(findKeywardSecrets(`${first},${second}`).map(({ secret }) => secret)).toEqual([first, second]);
    expect(findKeywardSecrets(first).map(({ secret }) => secret)).toEqual([first]);
  });

  it("ignores a secret whose last character was mistyped", () => {
    const key = composeSecret(keySecretPrefix("live"), randomBytes(32));
    const typo = key.slice(0, -1) + (key.endsWith("a") ? "b" : "a");
    expect(findKeywardSecrets(`KEY=${typo}`)).toEqual([]);
  });
});
