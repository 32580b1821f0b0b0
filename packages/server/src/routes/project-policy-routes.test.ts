import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject } from "../../test/keyward-under-test";

let k: KeywardUnderTest;
beforeAll(async () => {
  k = await openKeywardUnderTest();
  await seedProject(k, "billing", ["invoices:read"]);
});
afterAll(async () => {
  await k?.close();
});

const DAY = 86_400_000;
const liveKey = (name: string, extra: Record<string, unknown> = {}) => ({ project: "billing", environment: "live", name, scopes: ["invoices:read"], ...extra });

/** Everything a refused request could have changed. */
async function snapshot() {
  await k.keyward.services.usage.flush();
  return { keys: (await k.call("GET", "/v1/keys?limit=100")).json().data, events: (await k.call("GET", "/v1/audit?limit=100")).json().data.length };
}

async function setPolicy(body: unknown) {
  const put = await k.call("PUT", "/v1/projects/billing/policy", { body });
  expect(put.statusCode, put.body).toBe(200);
  return put.json();
}

describe("project policy rules (SPEC §18)", () => {
  it("stores every rule per environment, shows it and audits the change", async () => {
    const policy = await setPolicy({ live: { require_rotation: true, max_rotation_every: "90d", max_grace_period: "2d", exposure: "revoke" } });
    expect(policy).toEqual({ project: "billing", live: { require_rotation: true, max_rotation_every: "90d", max_grace_period: "2d", exposure: "revoke" }, test: { exposure: "revoke" } });
    expect((await k.call("GET", "/v1/projects/billing/policy")).json()).toEqual(policy);
    const [event] = (await k.call("GET", "/v1/audit?action=project.policy&limit=1")).json().data;
    expect(event.details.live).toMatchObject({ max_rotation_every: "90d" });
  });

  it("refuses a malformed rule naming the field", async () => {
    const put = await k.call("PUT", "/v1/projects/billing/policy", { body: { live: { max_lifetime: "a year", require_rotation: "yes" } } });
    expect(put.statusCode).toBe(400);
    expect(put.json().error.details.map((issue: { field: string }) => issue.field).sort()).toEqual(["body.live.max_lifetime", "body.live.require_rotation"]);
  });

  it("refuses a live key without rotation with 400 naming the rule and the key, and changes nothing", async () => {
    const before = await snapshot();
    const created = await k.call("POST", "/v1/keys", { body: liveKey("no-rotation") });
    expect(created.statusCode).toBe(400);
    const { error } = created.json();
    expect(error.message).toContain("no-rotation");
    expect(error.message).toContain("max_rotation_every");
    expect(error.details).toEqual([{ field: "body.rotation", message: "must be set, with every at most 90d (policy max_rotation_every)" }]);
    expect(await snapshot()).toEqual(before);
  });

  it("names the nested field a rotation breaks, and lets a test key through", async () => {
    const created = await k.call("POST", "/v1/keys", { body: liveKey("slow", { rotation: { every: "180d", grace_period: "3d" } }) });
    expect(created.statusCode).toBe(400);
    expect(created.json().error.details.map((issue: { field: string }) => issue.field)).toEqual(["body.rotation.every", "body.rotation.grace_period"]);
    expect((await k.call("POST", "/v1/keys", { body: { ...liveKey("slow"), environment: "test" } })).statusCode).toBe(201);
  });

  it("refuses an update that weakens a key, and a rotation whose grace is too long", async () => {
    const { id } = await seedKey(k, liveKey("kept", { rotation: { every: "30d", grace_period: "1d" } }));
    const before = await snapshot();
    const weakened = await k.call("PATCH", `/v1/keys/${id}`, { body: { rotation: null } });
    expect(weakened.statusCode).toBe(400);
    expect(weakened.json().error.details[0].field).toBe("body.rotation");
    const rotated = await k.call("POST", `/v1/keys/${id}/rotate`, { body: { grace_period: "5d" } });
    expect(rotated.statusCode).toBe(400);
    expect(rotated.json().error.details).toEqual([{ field: "body.grace_period", message: "must be at most 2d (policy max_grace_period)" }]);
    expect(await snapshot()).toEqual(before);
    expect((await k.call("PATCH", `/v1/keys/${id}`, { body: { rotation: { every: "60d", grace_period: "1d" } } })).statusCode).toBe(200);
  });

  it("still renames a key that broke a policy tightened after it was made", async () => {
    const { id } = await seedKey(k, liveKey("legacy", { rotation: { every: "30d", grace_period: "1d" } }));
    await setPolicy({ live: { require_rotation: true, max_rotation_every: "7d", max_lifetime: "365d" } });
    expect((await k.call("PATCH", `/v1/keys/${id}`, { body: { name: "legacy-renamed" } })).statusCode).toBe(200);
    const refused = await k.call("PATCH", `/v1/keys/${id}`, { body: { rotation: { every: "8d", grace_period: "1d" } } });
    expect(refused.json().error.details.map((issue: { field: string }) => issue.field)).toEqual(["body.rotation.every"]);
    const lifetime = await k.call("PATCH", `/v1/keys/${id}`, { body: { expires_at: new Date(k.clock.read().getTime() + 400 * DAY).toISOString() } });
    expect(lifetime.json().error.details[0]).toEqual({ field: "body.expires_at", message: "must be set, at most 365d after the key's creation (policy max_lifetime)" });
  });

  it("requires destinations when the policy says so", async () => {
    await setPolicy({ live: { require_destinations: true } });
    const created = await k.call("POST", "/v1/keys", { body: liveKey("undelivered") });
    expect(created.json().error.details[0].field).toBe("body.destinations");
    const delivered = liveKey("delivered", { destinations: [{ type: "github_secret", repository: "acme/billing", name: "BILLING_KEY" }] });
    expect((await k.call("POST", "/v1/keys", { body: delivered })).statusCode).toBe(201);
    await setPolicy({ live: {} });
  });
});

describe("grace that starts at first use (SPEC §18)", () => {
  async function rotatedKey(name: string, rotation: Record<string, unknown>) {
    const { id, secret } = await seedKey(k, liveKey(name, { rotation }));
    const rotated = (await k.call("POST", `/v1/keys/${id}/rotate`, { body: {} })).json();
    return { id, previous: secret, current: rotated.secret as string, answer: rotated };
  }
  const verify = async (key: string, ip = "198.51.100.7") => (await k.call("POST", "/v1/verify", { body: { key, ip } })).json().code;

  it("keeps the previous secret until the new one's first verification plus the grace period", async () => {
    const { id, previous, current, answer } = await rotatedKey("first-use", { every: "30d", grace_period: "1h", grace_starts: "on_first_use" });
    const rotatedAt = k.clock.read().getTime();
    expect(answer.previous.expires_at).toBe(new Date(rotatedAt + 7 * DAY).toISOString());
    k.clock.advance(2 * DAY);
    expect(await verify(previous)).toBe("VALID");
    await k.keyward.services.usage.flush();
    expect((await k.call("GET", `/v1/keys/${id}`)).json().previous).toEqual({
      version: 1,
      last_used_at: new Date(rotatedAt + 2 * DAY).toISOString(),
      last_used_ip: "198.51.100.7",
      expires_at: new Date(rotatedAt + 7 * DAY).toISOString(),
      grace_started_at: null,
    });
    expect(await verify(current, "203.0.113.9")).toBe("VALID");
    await k.keyward.services.usage.flush();
    const firstUse = rotatedAt + 2 * DAY;
    const shown = (await k.call("GET", `/v1/keys/${id}`)).json().previous;
    expect(shown).toMatchObject({ expires_at: new Date(firstUse + 3_600_000).toISOString(), grace_started_at: new Date(firstUse).toISOString() });
    const audited = (await k.call("GET", "/v1/audit?action=key.grace_start")).json().data;
    expect(audited).toEqual([
      expect.objectContaining({
        action: "key.grace_start",
        actor: null,
        target: id,
        project: "billing",
        environment: "live",
        details: { version: 1, by_version: 2, started_at: new Date(firstUse).toISOString(), expires_at: new Date(firstUse + 3_600_000).toISOString() },
      }),
    ]);
    expect((await k.call("GET", "/v1/audit/verify")).json()).toMatchObject({ ok: true });
    k.clock.advance(3_600_000 - 1);
    expect(await verify(previous)).toBe("VALID");
    k.clock.advance(1);
    expect(await verify(previous)).toBe("EXPIRED");
    expect(await verify(current)).toBe("VALID");
    await k.keyward.services.usage.flush();
    expect((await k.call("GET", `/v1/keys/${id}`)).json().previous).toBeNull();
  });

  it("never keeps the previous secret past max_grace_period after the rotation", async () => {
    await setPolicy({ live: { max_grace_period: "3d" } });
    const { previous, current } = await rotatedKey("capped", { every: "30d", grace_period: "2d", grace_starts: "on_first_use" });
    k.clock.advance(2 * DAY);
    expect(await verify(current)).toBe("VALID");
    await k.keyward.services.usage.flush();
    k.clock.advance(DAY - 1);
    expect(await verify(previous)).toBe("VALID");
    k.clock.advance(1);
    expect(await verify(previous)).toBe("EXPIRED");
    await setPolicy({ live: {} });
  });

  it("starts an immediate grace at the rotation, as before", async () => {
    const { id, previous } = await rotatedKey("immediate", { every: "30d", grace_period: "1h" });
    expect((await k.call("GET", `/v1/keys/${id}`)).json().previous.grace_started_at).toBe(k.clock.read().toISOString());
    k.clock.advance(3_600_000);
    expect(await verify(previous)).toBe("EXPIRED");
  });
});
