import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject, seedToken } from "../../test/keyward-under-test";

let k: KeywardUnderTest;
beforeAll(async () => {
  k = await openKeywardUnderTest();
  await seedProject(k, "billing", ["invoices:read", "invoices:write"]);
});
afterAll(async () => {
  await k?.close();
});

/** Everything the API shows, to prove a refused request changed nothing. */
async function snapshot() {
  // Usage from earlier tests is written in the background; write it now so it cannot land between two snapshots.
  await k.keyward.services.usage.flush();
  const keys = await k.call("GET", "/v1/keys?limit=100");
  const audit = await k.call("GET", "/v1/audit?limit=100");
  return { keys: keys.json().data, events: audit.json().data.length };
}

describe("keys", () => {
  it("creates a key with every setting and shows it without its secret", async () => {
    const created = await k.call("POST", "/v1/keys", {
      body: {
        project: "billing",
        environment: "live",
        name: "full",
        scopes: ["invoices:read"],
        expires_at: "2027-06-30T00:00:00Z",
        rotation: { every: "30d", grace_period: "24h" },
        ip_allowlist: ["10.0.0.0/8"],
        rate_limit: { requests: 100, window: "1m" },
        metadata: { team: "payments" },
      },
    });
    expect(created.statusCode).toBe(201);
    const { key, secret } = created.json();
    expect(secret).toMatch(/^kw_live_[0-9A-Za-z]{49}$/);
    expect(key).toMatchObject({
      status: "active",
      version: 1,
      hint: `kw_live_…${secret.slice(-4)}`,
      expires_at: "2027-06-30T00:00:00.000Z",
      next_rotation_at: "2026-07-01T00:00:00.000Z",
      rotation_due: false,
    });
    const fetched = await k.call("GET", `/v1/keys/${key.id}`);
    expect(fetched.json()).toEqual({ ...key, previous: null });
    expect(fetched.body).not.toContain(secret);
  });

  it("lists keys page by page with filters", async () => {
    for (const name of ["page-a", "page-b", "page-c"]) await seedKey(k, { project: "billing", environment: "test", name, scopes: [] });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/v1/keys?environment=test&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page = (await k.call("GET", query)).json();
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((key: { name: string }) => key.name));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(["page-a", "page-b", "page-c"]);
    expect((await k.call("GET", "/v1/keys?status=revoked")).json().data).toEqual([]);
    expect((await k.call("GET", "/v1/keys?name=page-b")).json().data).toHaveLength(1);
    expect((await k.call("GET", "/v1/keys?cursor=garbage")).statusCode).toBe(400);
  });

  it("marks keys due for rotation and lists them with rotation_due=true", async () => {
    const { id } = await seedKey(k, { project: "billing", environment: "live", name: "due", scopes: [], rotation: { every: "1d", grace_period: "1h" } });
    expect((await k.call("GET", `/v1/keys/${id}`)).json().rotation_due).toBe(false);
    k.clock.advance(86_400_000);
    expect((await k.call("GET", `/v1/keys/${id}`)).json().rotation_due).toBe(true);
    const due = (await k.call("GET", "/v1/keys?rotation_due=true&limit=100")).json().data.map((key: { id: string }) => key.id);
    expect(due).toContain(id);
    await k.call("POST", `/v1/keys/${id}/rotate`, { body: {} });
    expect((await k.call("GET", `/v1/keys/${id}`)).json()).toMatchObject({ rotation_due: false, version: 2 });
  });

  it("updates in place and clears optional settings with null", async () => {
    const { id, secret } = await seedKey(k, { project: "billing", environment: "live", name: "patch-me", scopes: ["invoices:read"], metadata: { a: "1" }, ip_allowlist: ["10.0.0.0/8"] });
    const patched = await k.call("PATCH", `/v1/keys/${id}`, { body: { name: "patched", scopes: ["invoices:read", "invoices:write"], ip_allowlist: null, metadata: { b: "2" } } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: "patched", scopes: ["invoices:read", "invoices:write"], ip_allowlist: null, metadata: { b: "2" }, version: 1 });
    const verified = await k.call("POST", "/v1/verify", { body: { key: secret, scopes: ["invoices:write"] } });
    expect(verified.json().code).toBe("VALID");
    const [event] = (await k.call("GET", "/v1/audit?action=key.update&limit=100")).json().data.slice(-1);
    expect(event.details).toMatchObject({ scopes_added: ["invoices:write"], scopes_removed: [] });
  });

  it("answers 409 for a duplicate name and for rolling back with nothing to roll back", async () => {
    const { id } = await seedKey(k, { project: "billing", environment: "live", name: "unique", scopes: [] });
    const duplicate = await k.call("POST", "/v1/keys", { body: { project: "billing", environment: "live", name: "unique", scopes: [] } });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error.message).toContain("body.name");
    expect((await k.call("POST", `/v1/keys/${id}/rollback`)).statusCode).toBe(409);
    await k.call("POST", `/v1/keys/${id}/rotate`, { body: { grace_period: "5m" } });
    k.clock.advance(6 * 60_000);
    expect((await k.call("POST", `/v1/keys/${id}/rollback`)).statusCode).toBe(409);
  });

  it("keeps at most two secrets valid across back-to-back rotations", async () => {
    const { id, secret: v1 } = await seedKey(k, { project: "billing", environment: "live", name: "twice", scopes: [] });
    const v2 = (await k.call("POST", `/v1/keys/${id}/rotate`, { body: { grace_period: "1h" } })).json().secret;
    const v3 = (await k.call("POST", `/v1/keys/${id}/rotate`, { body: { grace_period: "1h" } })).json().secret;
    const codes = [];
    for (const key of [v1, v2, v3]) codes.push((await k.call("POST", "/v1/verify", { body: { key } })).json().code);
    expect(codes).toEqual(["REVOKED", "VALID", "VALID"]);
  });

  it("deletes a key: 204, then 404, and its secret is unknown", async () => {
    const { id, secret } = await seedKey(k, { project: "billing", environment: "live", name: "doomed", scopes: [] });
    expect((await k.call("DELETE", `/v1/keys/${id}`)).statusCode).toBe(204);
    expect((await k.call("GET", `/v1/keys/${id}`)).statusCode).toBe(404);
    expect((await k.call("POST", "/v1/verify", { body: { key: secret } })).json().code).toBe("NOT_FOUND");
    expect((await k.call("DELETE", `/v1/keys/${id}`)).json().error.code).toBe("NOT_FOUND");
  });
});

describe("Idempotency-Key (issue 2 acceptance 3)", () => {
  it("answers a repeated rotation with the saved answer and rotates once", async () => {
    const { id } = await seedKey(k, { project: "billing", environment: "live", name: "idempotent", scopes: [] });
    const rotate = () => k.call("POST", `/v1/keys/${id}/rotate`, { body: { grace_period: "1h" }, headers: { "idempotency-key": "rotate-1" } });
    const first = await rotate();
    const second = await rotate();
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(second.headers["idempotent-replayed"]).toBe("true");
    expect((await k.call("GET", `/v1/keys/${id}`)).json().version).toBe(2);
    const rotations = (await k.call("GET", "/v1/audit?action=key.rotate&limit=100")).json().data.filter((event: { target: string }) => event.target === id);
    expect(rotations).toHaveLength(1);
  });

  it("never rotates twice when the same request arrives concurrently", async () => {
    const { id } = await seedKey(k, { project: "billing", environment: "live", name: "concurrent", scopes: [] });
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => k.call("POST", `/v1/keys/${id}/rotate`, { body: {}, headers: { "idempotency-key": "same" } })),
    );
    expect(new Set(answers.map((answer) => answer.json().secret)).size).toBe(1);
    expect((await k.call("GET", `/v1/keys/${id}`)).json().version).toBe(2);
  });

  it("refuses the same key with a different request, and keeps answers per token", async () => {
    const { id } = await seedKey(k, { project: "billing", environment: "live", name: "mismatch", scopes: [] });
    await k.call("POST", `/v1/keys/${id}/rotate`, { body: { grace_period: "1h" }, headers: { "idempotency-key": "k-1" } });
    const other = await k.call("POST", `/v1/keys/${id}/rotate`, { body: { grace_period: "2h" }, headers: { "idempotency-key": "k-1" } });
    expect(other.statusCode).toBe(409);
    // Another token with the same Idempotency-Key is another request: it neither sees nor reuses the answer.
    const rotator = await seedToken(k, { name: "other-rotator", scopes: ["keys:rotate", "keys:read"] });
    const byOther = await k.call("POST", `/v1/keys/${id}/rotate`, { token: rotator.secret, body: { grace_period: "1h" }, headers: { "idempotency-key": "k-1" } });
    expect([byOther.statusCode, byOther.headers["idempotent-replayed"], byOther.json().key.version]).toEqual([200, undefined, 3]);
    const created = () => k.call("POST", "/v1/keys", { body: { project: "billing", environment: "test", name: "created-once", scopes: [] }, headers: { "idempotency-key": "create-1" } });
    const a = await created();
    const b = await created();
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.json().secret).toBe(a.json().secret);
  });

  it("forgets a saved answer after 24 hours", async () => {
    const { id } = await seedKey(k, { project: "billing", environment: "live", name: "expiring-answer", scopes: [] });
    const rotate = () => k.call("POST", `/v1/keys/${id}/rotate`, { body: {}, headers: { "idempotency-key": "daily" } });
    const first = await rotate();
    k.clock.advance(24 * 3_600_000 + 1);
    const later = await rotate();
    expect(later.json().secret).not.toBe(first.json().secret);
    expect(later.json().key.version).toBe(3);
  });
});

describe("bad input (issue 2 acceptance 5)", () => {
  const valid = { project: "billing", environment: "live", name: "bad-input", scopes: ["invoices:read"] };
  const cases: [string, unknown, string][] = [
    ["wrong types", { ...valid, scopes: "invoices:read" }, "body.scopes"],
    ["unknown field", { ...valid, colour: "blue" }, "body.colour"],
    ["bad CIDR", { ...valid, ip_allowlist: ["10.0.0.0/33"] }, "body.ip_allowlist[0]"],
    ["bad duration", { ...valid, rotation: { every: "30 days", grace_period: "1h" } }, "body.rotation.every"],
    ["grace longer than every", { ...valid, rotation: { every: "1h", grace_period: "2h" } }, "body.rotation.grace_period"],
    ["undeclared scope", { ...valid, scopes: ["invoices:read", "payroll:read"] }, "body.scopes[1]"],
    ["unknown environment", { ...valid, environment: "prod" }, "body.environment"],
    ["SQL metacharacters in a name", { ...valid, name: "x'; DROP TABLE api_keys; --" }, "body.name"],
    ["unicode in a name", { ...valid, name: "ключ\u0000" }, "body.name"],
    ["expiry in the past", { ...valid, expires_at: "2020-01-01T00:00:00Z" }, "body.expires_at"],
  ];

  it.each(cases)("%s → 400 naming the field, nothing changed", async (_case, body, field) => {
    const before = await snapshot();
    const answer = await k.call("POST", "/v1/keys", { body });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error.code).toBe("BAD_REQUEST");
    expect(answer.json().error.message).toContain(field);
    expect(await snapshot()).toEqual(before);
  });

  it("malformed JSON, a 1 MiB body and a non-JSON body get 400, 413 and 415 with nothing changed", async () => {
    const before = await snapshot();
    const malformed = await k.call("POST", "/v1/keys", { body: '{"project": "billing",', headers: { "content-type": "application/json" } });
    expect([malformed.statusCode, malformed.json().error.code]).toEqual([400, "BAD_REQUEST"]);
    const huge = await k.call("POST", "/v1/keys", { body: { ...valid, metadata: { a: "x".repeat(1024 * 1024) } } });
    expect([huge.statusCode, huge.json().error.code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    const form = await k.call("POST", "/v1/keys", { body: "project=billing", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect([form.statusCode, form.json().error.code]).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"]);
    expect(await snapshot()).toEqual(before);
  });

  it("a bad PATCH changes nothing, not even the fields that were valid", async () => {
    const { id } = await seedKey(k, { ...valid, name: "patch-guard" });
    const before = (await k.call("GET", `/v1/keys/${id}`)).json();
    const answer = await k.call("PATCH", `/v1/keys/${id}`, { body: { name: "renamed", scopes: ["nope:nope"] } });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error.details).toEqual([{ field: "body.scopes[0]", message: "scope 'nope:nope' is not declared in project 'billing'" }]);
    expect((await k.call("GET", `/v1/keys/${id}`)).json()).toEqual(before);
  });

  it("a bad key id or query names the parameter", async () => {
    expect((await k.call("GET", "/v1/keys/nope")).json().error.message).toContain("path.id");
    expect((await k.call("GET", "/v1/keys?limit=1000")).json().error.message).toContain("query.limit");
    expect((await k.call("GET", "/v1/keys?status=sleepy")).json().error.message).toContain("query.status");
  });
});

describe("crash safety (SPEC §9)", () => {
  it("a rotation that fails half-way leaves the old state: same version, old secret valid, no new secret", async () => {
    const { KeyStore } = await import("../storage/key-store");
    const { id, secret } = await seedKey(k, { project: "billing", environment: "live", name: "half-rotated", scopes: [] });
    const before = (await k.call("GET", `/v1/keys/${id}`)).json();
    const update = KeyStore.prototype.update;
    // The new secret is already written when the key row update fails, as if the process died there.
    KeyStore.prototype.update = async () => {
      throw new Error("simulated crash");
    };
    try {
      const failed = await k.call("POST", `/v1/keys/${id}/rotate`, { body: { grace_period: "1h" }, headers: { "idempotency-key": "crash-1" } });
      expect([failed.statusCode, failed.json().error]).toEqual([500, { code: "INTERNAL", message: expect.not.stringContaining("simulated"), request_id: expect.any(String) }]);
    } finally {
      KeyStore.prototype.update = update;
    }
    expect((await k.call("GET", `/v1/keys/${id}`)).json()).toEqual(before);
    expect((await k.call("POST", "/v1/verify", { body: { key: secret } })).json()).toMatchObject({ code: "VALID", key: { expires_at: null } });
    const secrets = await k.keyward.services.storage.database.query("SELECT version FROM key_secrets WHERE key_id = $1", [id]);
    expect(secrets).toEqual([{ version: 1 }]);
    const retried = await k.call("POST", `/v1/keys/${id}/rotate`, { body: { grace_period: "1h" }, headers: { "idempotency-key": "crash-1" } });
    expect([retried.statusCode, retried.json().key.version]).toEqual([200, 2]);
  });
});
