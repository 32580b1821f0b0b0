// SPEC §16 and §18: what the verifier routes tell an in-process verifier of each secret (its
// version, whether it has a verifier digest) and how a usage report's secret version and first
// success are recorded. The end-to-end behaviour, through the SDK, is in test/in-process-verifier*.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject } from "../../test/keyward-under-test";

let k: KeywardUnderTest;
beforeAll(async () => {
  k = await openKeywardUnderTest();
  await seedProject(k, "billing", []);
});
afterAll(async () => {
  await k?.close();
});

const HOUR = 3_600_000;
const rotation = { every: "30d", grace_period: "2h", grace_starts: "on_first_use" };

async function rotatedKey(name: string) {
  const { id } = await seedKey(k, { project: "billing", environment: "live", name, scopes: [], rotation });
  const rotated = await k.call("POST", `/v1/keys/${id}/rotate`, { body: {} });
  expect(rotated.statusCode, rotated.body).toBe(200);
  return { id, rotatedAt: k.clock.read().getTime() };
}

async function report(reports: unknown[]) {
  const answer = await k.call("POST", "/v1/verifier/usage", { body: { reports } });
  expect(answer.statusCode, answer.body).toBe(200);
  await k.keyward.services.usage.flush();
  return answer.json().accepted as number;
}

const previousOf = async (id: string) => (await k.call("GET", `/v1/keys/${id}`)).json().previous;
const iso = (time: number) => new Date(time).toISOString();

describe("the snapshot", () => {
  it("gives each secret its version, and counts per key the secrets that have no verifier digest", async () => {
    const { id } = await rotatedKey("snapshot-versions");
    const { id: old } = await seedKey(k, { project: "billing", environment: "live", name: "from-before-digests", scopes: [] });
    // What the verifier-digest migration left for every secret issued before it.
    await k.keyward.services.storage.database.query("UPDATE key_secrets SET verifier_digest = NULL WHERE key_id = $1", [old]);
    const snapshot = (await k.call("GET", "/v1/verifier/snapshot?project=billing")).json();
    const byId = new Map(snapshot.keys.map((key: { id: string }) => [key.id, key]));
    expect(byId.get(id)).toMatchObject({ undigested_secrets: 0, secrets: [{ version: 2 }, { version: 1 }] });
    expect(byId.get(old)).toMatchObject({ undigested_secrets: 1, secrets: [] });
    expect(snapshot.undigested_secrets).toBe(1);
    await k.call("DELETE", `/v1/keys/${old}`);
  });
});

describe("a usage report", () => {
  it("starts a grace waiting for first use at the reported first success, and keeps each secret's last use", async () => {
    const { id, rotatedAt } = await rotatedKey("first-use-reported");
    k.clock.advance(2 * HOUR);
    const firstUse = k.clock.read().getTime() - 10 * 60_000;
    const accepted = await report([
      { key_id: id, version: 1, counts: { VALID: 4 }, last_at: iso(firstUse - 60_000), last_ip: "198.51.100.7", first_valid_at: iso(firstUse - 5 * 60_000) },
      { key_id: id, version: 2, counts: { VALID: 3, INSUFFICIENT_SCOPE: 1 }, last_at: iso(firstUse + 5 * 60_000), last_ip: "203.0.113.9", first_valid_at: iso(firstUse) },
    ]);
    expect(accepted).toBe(2);
    expect(await previousOf(id)).toEqual({
      version: 1,
      last_used_at: iso(firstUse - 60_000),
      last_used_ip: "198.51.100.7",
      expires_at: iso(firstUse + 2 * HOUR),
      grace_started_at: iso(firstUse),
    });
    const key = (await k.call("GET", `/v1/keys/${id}`)).json();
    expect(key.last_used_at).toBe(iso(firstUse + 5 * 60_000));
    expect(rotatedAt).toBeLessThan(firstUse);
  });

  it("takes a first success no earlier than the secret's issue", async () => {
    const { id, rotatedAt } = await rotatedKey("first-use-before-issue");
    await report([{ key_id: id, version: 2, counts: { VALID: 1 }, last_at: iso(rotatedAt), first_valid_at: iso(rotatedAt - 24 * HOUR) }]);
    expect(await previousOf(id)).toMatchObject({ grace_started_at: iso(rotatedAt), expires_at: iso(rotatedAt + 2 * HOUR) });
  });

  it("counts a version the key never had for the key alone, and a report without a version as before", async () => {
    const { id } = await rotatedKey("unknown-version");
    const now = k.clock.read().getTime();
    expect(await report([{ key_id: id, version: 9, counts: { VALID: 2 }, last_at: iso(now), first_valid_at: iso(now) }])).toBe(1);
    expect(await report([{ key_id: id, counts: { VALID: 1 }, last_at: iso(now) }])).toBe(1);
    expect(await previousOf(id)).toMatchObject({ last_used_at: null, grace_started_at: null });
    const usage = (await k.call("GET", `/v1/keys/${id}/usage?granularity=hour`)).json();
    expect(usage.buckets.reduce((sum: number, bucket: { counts: { VALID?: number } }) => sum + (bucket.counts.VALID ?? 0), 0)).toBe(3);
  });

  it("refuses a malformed version or first success, naming the field", async () => {
    const { id } = await rotatedKey("malformed-report");
    const answer = await k.call("POST", "/v1/verifier/usage", {
      body: { reports: [{ key_id: id, version: 0, counts: { VALID: 1 }, last_at: iso(k.clock.read().getTime()), first_valid_at: "yesterday" }] },
    });
    expect(answer.statusCode).toBe(400);
    const fields = new Set(answer.json().error.details.map((issue: { field: string }) => issue.field));
    expect([...fields].sort()).toEqual(["body.reports[0].first_valid_at", "body.reports[0].version"]);
  });
});
