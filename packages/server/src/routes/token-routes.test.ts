import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest, seedProject } from "../../test/keyward-under-test";

let k: KeywardUnderTest;
beforeAll(async () => {
  k = await openKeywardUnderTest();
  await seedProject(k, "billing", []);
});
afterAll(async () => {
  await k?.close();
});

describe("management tokens", () => {
  it("creates a bound token whose secret works once and is never shown again", async () => {
    const created = await k.call("POST", "/v1/tokens", { body: { name: "ci", scopes: ["keys:read", "keys:rotate"], project: "billing", environment: "live" } });
    expect(created.statusCode).toBe(201);
    const { token, secret } = created.json();
    expect(secret).toMatch(/^kwm_[0-9A-Za-z]{49}$/);
    expect(token).toMatchObject({ name: "ci", project: "billing", environment: "live", hint: `kwm_…${secret.slice(-4)}` });
    expect((await k.call("GET", "/v1/keys", { token: secret })).statusCode).toBe(200);
    const listed = await k.call("GET", "/v1/tokens");
    expect(listed.body).not.toContain(secret);
    expect(listed.json().data.map((t: { id: string }) => t.id)).toContain(token.id);
  });

  it("revokes a token at once (204), after which it is a 401 and gone from the list", async () => {
    const { token, secret } = (await k.call("POST", "/v1/tokens", { body: { name: "short", scopes: ["keys:read"] } })).json();
    expect((await k.call("DELETE", `/v1/tokens/${token.id}`)).statusCode).toBe(204);
    expect((await k.call("GET", "/v1/keys", { token: secret })).statusCode).toBe(401);
    expect((await k.call("GET", "/v1/tokens")).json().data.map((t: { id: string }) => t.id)).not.toContain(token.id);
    expect((await k.call("DELETE", `/v1/tokens/${token.id}`)).statusCode).toBe(404);
  });

  it("rejects unknown scopes, a missing project and an expiry in the past", async () => {
    const scopes = await k.call("POST", "/v1/tokens", { body: { name: "x", scopes: ["keys:destroy"] } });
    expect(scopes.json().error.details[0].field).toBe("body.scopes[0]");
    expect((await k.call("POST", "/v1/tokens", { body: { name: "x", scopes: ["keys:read"], project: "nowhere" } })).statusCode).toBe(404);
    const past = await k.call("POST", "/v1/tokens", { body: { name: "x", scopes: ["keys:read"], expires_at: "2020-01-01T00:00:00Z" } });
    expect(past.json().error.details[0].field).toBe("body.expires_at");
  });

  it("stops an IP that keeps failing to authenticate with 429 and Retry-After, never a valid token (SPEC §10)", async () => {
    const strict = await openKeywardUnderTest({ failedAuthMax: 3 });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await strict.call("GET", "/v1/keys", { token: "kwm_wrong" })).statusCode);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      const limited = await strict.call("GET", "/v1/keys", { token: null });
      expect([limited.statusCode, limited.json().error.code]).toEqual([429, "RATE_LIMITED"]);
      expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
      expect((await strict.call("GET", "/v1/keys")).statusCode).toBe(200);
      strict.clock.advance(61_000);
      expect((await strict.call("GET", "/v1/keys", { token: "kwm_wrong" })).statusCode).toBe(401);
    } finally {
      await strict.close();
    }
  });
});
