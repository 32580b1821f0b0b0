import { composeSecret, keySecretPrefix } from "@keyward/contract";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest, seedProject } from "./keyward-under-test";

/** SPEC §16: unknown secrets never reach the database; known ones keep verifying through every change. */
let k: KeywardUnderTest;
afterEach(() => k?.close());

function countLookups(keyward: KeywardUnderTest["keyward"]): () => number {
  const secrets = keyward.services.storage.stores.secrets;
  const lookup = secrets.findVerifiable.bind(secrets);
  let count = 0;
  secrets.findVerifiable = (digest) => {
    count += 1;
    return lookup(digest);
  };
  return () => count;
}

let token: string | undefined;
const verify = async (key: string) => (await k.call("POST", "/v1/verify", { body: { key }, ...(token ? { token } : {}) })).json().code;

describe("verification from memory", () => {
  it("refuses 100 distinct made-up secrets without one database lookup", async () => {
    k = await openKeywardUnderTest();
    await seedProject(k, "shop", []);
    const created = (await k.call("POST", "/v1/keys", { body: { project: "shop", environment: "live", name: "a", scopes: [] } })).json();
    const lookups = countLookups(k.keyward);
    for (let i = 0; i < 100; i += 1) expect(await verify(composeSecret(keySecretPrefix("live"), randomBytes(32)))).toBe("NOT_FOUND");
    expect(lookups()).toBe(0);
    expect(await verify(created.secret)).toBe("VALID");
  });

  it("verifies a key the moment it is created, rotated or imported", async () => {
    k = await openKeywardUnderTest();
    await seedProject(k, "shop", []);
    const created = (await k.call("POST", "/v1/keys", { body: { project: "shop", environment: "live", name: "a", scopes: [] } })).json();
    expect(await verify(created.secret)).toBe("VALID");
    const rotated = (await k.call("POST", `/v1/keys/${created.key.id}/rotate`, { body: {} })).json();
    expect(await verify(rotated.secret)).toBe("VALID");
    const own = composeSecret(keySecretPrefix("live"), randomBytes(32));
    expect(await verify(own)).toBe("NOT_FOUND");
    const imported = await k.call("POST", "/v1/keys", { body: { project: "shop", environment: "live", name: "b", scopes: [], secret: own } });
    expect(imported.statusCode).toBe(201);
    expect(await verify(own)).toBe("VALID");
  });

  it("keeps at most the configured number of secrets, and a restarted server starts with them cached", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "keyward-verify-memory-"));
    try {
      k = await openKeywardUnderTest({ dataDir, verificationCacheSize: 3 });
      await seedProject(k, "shop", []);
      const secrets: string[] = [];
      for (let i = 0; i < 5; i += 1) secrets.push((await k.call("POST", "/v1/keys", { body: { project: "shop", environment: "live", name: `k${i}`, scopes: [] } })).json().secret);
      for (const secret of secrets) expect(await verify(secret)).toBe("VALID");
      // Three secrets and the root token.
      expect(k.keyward.services.cache.size).toBe(4);
      token = k.rootToken;
      await k.close();
      k = await openKeywardUnderTest({ dataDir, verificationCacheSize: 3 });
      expect(k.keyward.services.cache.size).toBe(3);
      await k.close();
      k = await openKeywardUnderTest({ dataDir });
      expect(k.keyward.services.cache.size).toBe(5);
      const lookups = countLookups(k.keyward);
      for (const secret of secrets) expect(await verify(secret)).toBe("VALID");
      expect(lookups()).toBe(0);
    } finally {
      token = undefined;
      await k.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
