import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject, seedToken } from "../../test/keyward-under-test";

let k: KeywardUnderTest;
beforeAll(async () => {
  k = await openKeywardUnderTest();
  await seedProject(k, "alpha", ["a:read"]);
  await seedProject(k, "beta", []);
  await seedKey(k, { project: "alpha", environment: "live", name: "k", scopes: ["a:read"] });
});
afterAll(async () => {
  await k?.close();
});

describe("audit log", () => {
  it("records who did what, where, from which request, oldest first, filtered and paginated", async () => {
    const all = (await k.call("GET", "/v1/audit?limit=100")).json().data;
    expect(all.map((event: { action: string }) => event.action)).toEqual(["token.create", "project.create", "scope.create", "project.create", "key.create"]);
    const keyEvent = all[4];
    expect(keyEvent).toMatchObject({ project: "alpha", environment: "live", source_ip: "127.0.0.1", actor: expect.stringMatching(/^tok_/) });
    expect(keyEvent.prev_hash).toBe(all[3].hash);
    const alpha = (await k.call("GET", "/v1/audit?project=alpha")).json().data;
    expect(alpha.every((event: { project: string }) => event.project === "alpha")).toBe(true);
    const page = (await k.call("GET", "/v1/audit?limit=2")).json();
    const next = (await k.call("GET", `/v1/audit?limit=2&cursor=${page.next_cursor}`)).json();
    expect(next.data[0].seq).toBe(3);
    const since = (await k.call("GET", `/v1/audit?since=${encodeURIComponent("2030-01-01T00:00:00Z")}`)).json().data;
    expect(since).toEqual([]);
  });

  it("finds the first edited event when the chain has been tampered with", async () => {
    expect((await k.call("GET", "/v1/audit/verify")).json()).toMatchObject({ ok: true, checked: 5, first_bad: null, truncated_after: null });
    const [victim] = await k.keyward.services.storage.database.query<{ id: string }>("SELECT id FROM audit_events WHERE seq = 3");
    await k.keyward.services.storage.database.query(`UPDATE audit_events SET details = '{"forged": true}' WHERE seq = 3`);
    expect((await k.call("GET", "/v1/audit/verify")).json()).toMatchObject({ ok: false, checked: 2, first_bad: victim?.id });
  });
});

describe("audit export and checkpoints", () => {
  it("streams every event as JSON lines with its hashes, and a bound token only what it may read", async () => {
    const exported = await k.call("GET", "/v1/audit/export");
    expect(exported.statusCode).toBe(200);
    expect(exported.headers["content-type"]).toMatch(/^application\/x-ndjson/);
    const lines = exported.body.trim().split("\n").map((line) => JSON.parse(line));
    const listed = (await k.call("GET", "/v1/audit?limit=100")).json().data;
    expect(lines).toEqual(listed);
    const later = (await k.call("GET", `/v1/audit/export?since=${encodeURIComponent(listed[2].time)}`)).body;
    expect(later.trim().split("\n").length).toBeGreaterThan(0);
    expect((await k.call("GET", "/v1/audit/export?since=yesterday")).statusCode).toBe(400);

    const betaReader = await seedToken(k, { name: "beta-reader", scopes: ["audit:read"], project: "beta" });
    const beta = (await k.call("GET", "/v1/audit/export", { token: betaReader.secret })).body.trim().split("\n").map((line) => JSON.parse(line));
    expect(beta.length).toBeGreaterThan(0);
    expect(beta.every((event: { project: string }) => event.project === "beta")).toBe(true);
    const testReader = await seedToken(k, { name: "test-reader", scopes: ["audit:read"], environment: "test" });
    const testSide = (await k.call("GET", "/v1/audit/export", { token: testReader.secret })).body;
    expect(testSide).not.toContain('"environment":"live"');
    expect((await k.call("GET", "/v1/audit/export", { token: null })).statusCode).toBe(401);
  });

  it("signs a checkpoint on demand (admin only) with the key derived from the pepper", async () => {
    const answer = await k.call("POST", "/v1/audit/checkpoints", { body: {} });
    expect(answer.statusCode).toBe(201);
    const head = await k.keyward.services.storage.stores.audit.head();
    expect(answer.json()).toMatchObject({ kind: "checkpoint", seq: head.seq, hash: head.hash, key_id: k.keyward.services.checkpoints.keys.verifier.keyId });
    const reader = await seedToken(k, { name: "reader", scopes: ["audit:read"] });
    expect((await k.call("POST", "/v1/audit/checkpoints", { token: reader.secret, body: {} })).statusCode).toBe(403);
    expect((await k.call("GET", "/v1/audit/verify")).json()).toMatchObject({ checkpoint: { seq: head.seq } });
  });
});

describe("data retention", () => {
  it("purges old audit events and revoked keys and the chain still verifies from its new anchor", async () => {
    const { purge } = await import("../domain/purge");
    const fresh = await openKeywardUnderTest();
    try {
      await seedProject(fresh, "old", []);
      const { id } = await seedKey(fresh, { project: "old", environment: "live", name: "gone", scopes: [] });
      const { id: kept } = await seedKey(fresh, { project: "old", environment: "live", name: "kept", scopes: [] });
      await fresh.call("POST", `/v1/keys/${id}/revoke`);
      fresh.clock.advance(400 * 86_400_000);
      await fresh.call("POST", `/v1/keys/${kept}/rotate`, { body: {} });
      expect(await purge(fresh.keyward.services, 365 * 86_400_000, "purge")).toEqual({ keys: 1, audit_events: 5, idempotent_answers: 0, webhook_deliveries: 0 });
      expect((await fresh.call("GET", `/v1/keys/${id}`)).statusCode).toBe(404);
      expect((await fresh.call("GET", `/v1/keys/${kept}`)).statusCode).toBe(200);
      expect((await fresh.call("GET", "/v1/audit/verify")).json()).toMatchObject({ ok: true, checked: 2, first_bad: null });
      await fresh.keyward.services.storage.database.query("DELETE FROM audit_events WHERE seq = (SELECT min(seq) FROM audit_events)");
      expect((await fresh.call("GET", "/v1/audit/verify")).json().ok).toBe(false);
    } finally {
      await fresh.close();
    }
  });
});
