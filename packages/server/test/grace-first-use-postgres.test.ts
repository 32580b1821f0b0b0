import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresCluster, startPostgresCluster } from "../../../test/postgres/postgres-cluster";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject } from "./keyward-under-test";

/** SPEC §18's grace that starts at first use, on real PostgreSQL 15 (the same SQL PGlite runs in the route tests). */
let cluster: PostgresCluster;
let k: KeywardUnderTest;
beforeAll(async () => {
  cluster = await startPostgresCluster();
  k = await openKeywardUnderTest({ databaseUrl: await cluster.createDatabase("grace"), pepper: "grace-test-pepper-0123456789abcdefghijkl" });
  await seedProject(k, "billing", []);
});
afterAll(async () => {
  await k?.close();
  await cluster?.stop();
});

describe("grace that starts at first use on PostgreSQL", () => {
  it("ends the previous secret one grace period after the new secret's first verification, and shows its last use", async () => {
    const { id, secret: previous } = await seedKey(k, { project: "billing", environment: "live", name: "first-use", scopes: [], rotation: { every: "30d", grace_period: "1h", grace_starts: "on_first_use" } });
    const current = (await k.call("POST", `/v1/keys/${id}/rotate`, { body: {} })).json().secret as string;
    const verify = async (key: string) => (await k.call("POST", "/v1/verify", { body: { key, ip: "192.0.2.10" } })).json().code;
    k.clock.advance(86_400_000);
    expect(await verify(previous)).toBe("VALID");
    expect(await verify(current)).toBe("VALID");
    await k.keyward.services.usage.flush();
    const firstUse = k.clock.read().getTime();
    expect((await k.call("GET", `/v1/keys/${id}`)).json().previous).toEqual({
      version: 1,
      last_used_at: new Date(firstUse).toISOString(),
      last_used_ip: "192.0.2.10",
      expires_at: new Date(firstUse + 3_600_000).toISOString(),
      grace_started_at: new Date(firstUse).toISOString(),
    });
    k.clock.advance(3_600_000);
    expect(await verify(previous)).toBe("EXPIRED");
  });
});
