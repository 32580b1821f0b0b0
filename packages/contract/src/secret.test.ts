import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Secret } from "./secret";

const plaintext = "kw_live_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm";

describe("Secret", () => {
  it("never prints its plaintext", () => {
    const secret = new Secret(plaintext);
    const shown = [String(secret), `${secret}`, JSON.stringify({ secret }), inspect(secret), inspect({ nested: [secret] }, { depth: 5 })];
    for (const text of shown) {
      expect(text).not.toContain(plaintext.slice(8, -4));
      expect(text).toContain("Secret(kw_live_…jklm)");
    }
    expect(Object.keys(secret)).toEqual(["hint"]);
  });

  it("reveals the plaintext on request", () => {
    expect(new Secret(plaintext).reveal()).toBe(plaintext);
  });
});
