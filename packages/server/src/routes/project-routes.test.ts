import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject, seedToken } from "../../test/keyward-under-test";

let k: KeywardUnderTest;
beforeAll(async () => {
  k = await openKeywardUnderTest();
});
afterAll(async () => {
  await k?.close();
});

describe("projects", () => {
  it("creates, gets and lists projects page by page", async () => {
    const created = await k.call("POST", "/v1/projects", { body: { name: "billing-api", description: "Invoices" } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ name: "billing-api", description: "Invoices", created_at: k.clock.read().toISOString() });
    expect((await k.call("GET", "/v1/projects/billing-api")).json()).toEqual(created.json());
    for (const name of ["p-one", "p-two", "p-three"]) await k.call("POST", "/v1/projects", { body: { name } });
    const first = (await k.call("GET", "/v1/projects?limit=2")).json();
    const second = (await k.call("GET", `/v1/projects?limit=2&cursor=${first.next_cursor}`)).json();
    expect([...first.data, ...second.data].map((p: { name: string }) => p.name)).toEqual(["billing-api", "p-one", "p-three", "p-two"]);
    expect(second.next_cursor).toBeNull();
  });

  it("answers 409 for a duplicate and 404 for a missing project", async () => {
    expect((await k.call("POST", "/v1/projects", { body: { name: "billing-api" } })).statusCode).toBe(409);
    expect((await k.call("GET", "/v1/projects/nowhere")).json().error.code).toBe("NOT_FOUND");
    expect((await k.call("DELETE", "/v1/projects/nowhere")).statusCode).toBe(404);
  });

  it("rejects a bad name naming the field and the rule", async () => {
    for (const name of ["Billing", "b", "9lives", "x".repeat(64), "a_b"]) {
      const answer = await k.call("POST", "/v1/projects", { body: { name } });
      expect(answer.statusCode).toBe(400);
      expect(answer.json().error.details[0]).toMatchObject({ field: "body.name", message: expect.stringContaining("lowercase") });
    }
  });

  it("erases a project's keys, scopes, tokens and usage, and keeps a tombstone in the audit log", async () => {
    await seedProject(k, "doomed", ["d:read"]);
    const { id, secret } = await seedKey(k, { project: "doomed", environment: "live", name: "k", scopes: ["d:read"] });
    const bound = await seedToken(k, { name: "doomed-reader", scopes: ["keys:read"], project: "doomed" });
    await k.call("POST", "/v1/verify", { body: { key: secret } });
    expect((await k.call("DELETE", "/v1/projects/doomed")).statusCode).toBe(204);
    expect((await k.call("GET", `/v1/keys/${id}`)).statusCode).toBe(404);
    expect((await k.call("POST", "/v1/verify", { body: { key: secret } })).json().code).toBe("NOT_FOUND");
    expect((await k.call("GET", "/v1/keys", { token: bound.secret })).statusCode).toBe(401);
    const tombstone = (await k.call("GET", "/v1/audit?action=project.delete")).json().data[0];
    expect(tombstone).toMatchObject({ target: "doomed", details: { erased: { keys: 1, scopes: 1, tokens: 1 } } });
    expect((await k.call("GET", "/v1/audit/verify")).json().ok).toBe(true);
    await seedProject(k, "doomed", ["d:read"]);
    expect((await k.call("GET", "/v1/projects/doomed/scopes")).json().data).toHaveLength(1);
  });
});
