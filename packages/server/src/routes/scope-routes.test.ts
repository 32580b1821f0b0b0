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

describe("scope catalog", () => {
  it("PUT creates (201), then updates (200), and is idempotent", async () => {
    const created = await k.call("PUT", "/v1/projects/billing/scopes/invoices:read", { body: { description: "Read" } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ project: "billing", name: "invoices:read", description: "Read" });
    k.clock.advance(1000);
    const updated = await k.call("PUT", "/v1/projects/billing/scopes/invoices:read", { body: { description: "Read invoices" } });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().updated_at).not.toBe(created.json().updated_at);
    const again = await k.call("PUT", "/v1/projects/billing/scopes/invoices:read", { body: { description: "Read invoices" } });
    expect([again.statusCode, again.json()]).toEqual([200, updated.json()]);
    expect((await k.call("GET", "/v1/projects/billing/scopes")).json()).toEqual({ data: [updated.json()], next_cursor: null });
  });

  it("refuses to delete a scope a live key holds (409), allows it once the key is revoked (204)", async () => {
    await k.call("PUT", "/v1/projects/billing/scopes/refunds:create", { body: {} });
    const { id } = await seedKey(k, { project: "billing", environment: "live", name: "holder", scopes: ["refunds:create"] });
    const refused = await k.call("DELETE", "/v1/projects/billing/scopes/refunds:create");
    expect([refused.statusCode, refused.json().error.code]).toEqual([409, "CONFLICT"]);
    await k.call("POST", `/v1/keys/${id}/revoke`);
    expect((await k.call("DELETE", "/v1/projects/billing/scopes/refunds:create")).statusCode).toBe(204);
    expect((await k.call("DELETE", "/v1/projects/billing/scopes/refunds:create")).statusCode).toBe(404);
  });

  it("answers 404 for a missing project and 400 for a malformed scope name", async () => {
    expect((await k.call("PUT", "/v1/projects/nowhere/scopes/a:b", { body: {} })).statusCode).toBe(404);
    const bad = await k.call("PUT", "/v1/projects/billing/scopes/Bad%20Scope", { body: {} });
    expect([bad.statusCode, bad.json().error.details[0].field]).toEqual([400, "path.scope"]);
    const unknown = await k.call("PUT", "/v1/projects/billing/scopes/a:b", { body: { colour: "red" } });
    expect(unknown.json().error.details[0]).toEqual({ field: "body.colour", message: "is not a known field" });
  });
});
