// SPEC §16 on PostgreSQL: the verifier's change stream is driven by LISTEN/NOTIFY, so a key revoked
// through one instance reaches a verifier that follows another instance; a rate limit is one count
// for both instances and every verifier; a secret issued before verifier digests existed is asked
// of the server. No time is asserted.
import { randomBytes } from "node:crypto";
import { composeSecret } from "@keyward/contract";
import { Keyward, UnavailableError, type VerifyResponse } from "@keyward/client";
import { joinKeyward, type StartedKeyward, startKeyward } from "@keyward/server";
import pg from "pg";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresCluster, startPostgresCluster } from "./postgres/postgres-cluster";

let cluster: PostgresCluster;
let databaseUrl: string;
let first: StartedKeyward;
let second: { url: string; close(): Promise<void> };
const pepper = "pepper-shared-by-both-instances-0123456789";
/**
 * Every client of the file connects through this agent, which hangs up before the instances
 * close, so no client of the file outlives them.
 */
const agent = new Agent();
// A fixed clock a second into a minute: a rate-limit window cannot end during the test.
const clock = () => new Date(Date.UTC(2030, 0, 1, 12, 0, 1));

async function until(probe: () => boolean): Promise<void> {
  for (;;) {
    try {
      if (probe()) return;
    } catch {
      // stale for a moment: keep polling
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  cluster = await startPostgresCluster();
  databaseUrl = await cluster.createDatabase("verifier");
  first = await startKeyward({ databaseUrl, pepper, clock });
  second = await joinKeyward({ databaseUrl, pepper, clock });
});
afterAll(async () => {
  await agent.destroy();
  await second?.close();
  await first?.close();
  await cluster?.stop();
});

describe("an in-process verifier on PostgreSQL", () => {
  it("follows one instance and refuses a key revoked through the other, with no HTTP fallback", async () => {
    const admin = new Keyward({ url: first.url, token: first.rootToken, maxRetries: 0, dispatcher: agent });
    await admin.projects.create({ name: "shared" });
    const { key, secret } = await admin.keys.create({ project: "shared", environment: "live", name: "revoked-elsewhere", scopes: [] });
    const viaSecond = new Keyward({ url: second.url, token: first.rootToken, maxRetries: 0, dispatcher: agent });
    const verifier = await viaSecond.verifier({ project: "shared", onStale: "fail-closed" });
    try {
      await until(() => verifier.verifySync(secret.reveal()).valid);
      const { secret: later } = await admin.keys.create({ project: "shared", environment: "live", name: "created-elsewhere", scopes: [] });
      await until(() => verifier.verifySync(later.reveal()).valid);
      await admin.keys.revoke(key.id);
      await until(() => verifier.verifySync(secret.reveal()).code === "REVOKED");
      expect(verifier.verifySync(secret.reveal())).toMatchObject({ valid: false, code: "REVOKED" });
      expect(await viaSecond.verify({ key: secret })).toEqual(verifier.verifySync(secret.reveal()));
    } finally {
      await verifier.close();
    }
  });
});

describe("a rate limit is one count for the instances and every verifier (SPEC §16)", () => {
  it("allows 100 ± 10, never more than 100, of 400 verifications split across two verifiers and HTTP on both instances", async () => {
    const admin = new Keyward({ url: first.url, token: first.rootToken, maxRetries: 0, dispatcher: agent });
    await admin.projects.create({ name: "limited" });
    const { secret } = await admin.keys.create({ project: "limited", environment: "live", name: "hundred-a-minute", scopes: [], rate_limit: { requests: 100, window: "1m" } });
    const viaFirst = new Keyward({ url: first.url, token: first.rootToken, maxRetries: 0, dispatcher: agent });
    const viaSecond = new Keyward({ url: second.url, token: first.rootToken, maxRetries: 0, dispatcher: agent });
    const verifiers = [await viaFirst.verifier({ project: "limited", clock, onStale: "fail-closed" }), await viaSecond.verifier({ project: "limited", clock, onStale: "fail-closed" })];
    try {
      await until(() => verifiers.every((verifier) => verifier.size === 1 && verifier.state === "live"));
      const ask: ((key: string) => Promise<VerifyResponse>)[] = [
        (key) => verifiers[0]!.verify(key),
        (key) => verifiers[1]!.verify(key),
        (key) => viaFirst.verify({ key }),
        (key) => viaSecond.verify({ key }),
      ];
      const codes: string[] = [];
      // Eight callers at once, two on each way in, 50 verifications each.
      await Promise.all(
        [...Array(8)].map(async (_, caller) => {
          for (let i = 0; i < 50; i += 1) codes.push((await ask[caller % 4]!(secret.reveal())).code);
        }),
      );
      expect(codes).toHaveLength(400);
      const valid = codes.filter((code) => code === "VALID").length;
      expect(codes.filter((code) => code !== "VALID" && code !== "RATE_LIMITED")).toEqual([]);
      // README "Verification at scale": never over the limit; under it by at most one unspent claim per instance.
      expect(valid).toBeLessThanOrEqual(100);
      expect(valid).toBeGreaterThanOrEqual(90);
    } finally {
      for (const verifier of verifiers) await verifier.close();
    }
  });
});

describe("a secret issued before verifier digests existed (SPEC §16)", () => {
  it("is asked of the server rather than answered NOT_FOUND, for as long as the snapshot holds such a secret", async () => {
    const admin = new Keyward({ url: first.url, token: first.rootToken, maxRetries: 0, dispatcher: agent });
    await admin.projects.create({ name: "undigested" });
    const { key, secret } = await admin.keys.create({ project: "undigested", environment: "live", name: "from-before", scopes: [] });
    const { secret: digested } = await admin.keys.create({ project: "undigested", environment: "live", name: "from-after", scopes: [] });
    // As the verifier-digest migration left every secret issued before it: only the secret knows its digest.
    const database = new pg.Client({ connectionString: databaseUrl });
    await database.connect();
    await database.query("UPDATE key_secrets SET verifier_digest = NULL WHERE key_id = $1", [key.id]);
    await database.end();
    const viaSecond = new Keyward({ url: second.url, token: first.rootToken, maxRetries: 0, dispatcher: agent });
    const verifier = await viaSecond.verifier({ project: "undigested", clock, onStale: "fail-closed" });
    const unknown = composeSecret("kw_live_", randomBytes(32));
    try {
      await until(() => verifier.verifySync(digested.reveal()).valid);
      expect(() => verifier.verifySync(secret.reveal())).toThrow(UnavailableError);
      expect(() => verifier.verifySync(secret.reveal())).toThrow(/issued before verifier digests existed/);
      // fail-closed is about a stale snapshot: this one is trusted, and only the server knows this secret.
      expect(await verifier.verify(secret.reveal())).toEqual(await viaSecond.verify({ key: secret }));
      expect(await verifier.verify(secret.reveal())).toMatchObject({ valid: true, code: "VALID", key: { id: key.id } });
      expect(await verifier.verify(unknown)).toEqual({ valid: false, code: "NOT_FOUND" });
      // Once the last such secret is gone, an unknown secret is answered in process again.
      await admin.keys.delete(key.id);
      await until(() => verifier.verifySync(unknown).code === "NOT_FOUND");
      expect(verifier.verifySync(secret.reveal())).toEqual({ valid: false, code: "NOT_FOUND" });
    } finally {
      await verifier.close();
    }
  });
});
