// SPEC §16 on PostgreSQL: the verifier's change stream is driven by LISTEN/NOTIFY, so a key revoked
// through one instance reaches a verifier that follows another instance. No time is asserted.
import { Keyward } from "@keyward/client";
import { joinKeyward, type StartedKeyward, startKeyward } from "@keyward/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresCluster, startPostgresCluster } from "./postgres/postgres-cluster";

let cluster: PostgresCluster;
let first: StartedKeyward;
let second: { url: string; close(): Promise<void> };
const pepper = "pepper-shared-by-both-instances-0123456789";

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
  const databaseUrl = await cluster.createDatabase("verifier");
  first = await startKeyward({ databaseUrl, pepper });
  second = await joinKeyward({ databaseUrl, pepper });
});
afterAll(async () => {
  await second?.close();
  await first?.close();
  await cluster?.stop();
});

describe("an in-process verifier on PostgreSQL", () => {
  it("follows one instance and refuses a key revoked through the other, with no HTTP fallback", async () => {
    const admin = new Keyward({ url: first.url, token: first.rootToken, maxRetries: 0 });
    await admin.projects.create({ name: "shared" });
    const { key, secret } = await admin.keys.create({ project: "shared", environment: "live", name: "revoked-elsewhere", scopes: [] });
    const viaSecond = new Keyward({ url: second.url, token: first.rootToken, maxRetries: 0 });
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
