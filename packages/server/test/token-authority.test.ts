import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject, seedToken } from "./keyward-under-test";

/** SPEC §10, one test per breakage found on the first release. */
let k: KeywardUnderTest;
let rootId: string;
const HOUR = 3_600_000;

beforeAll(async () => {
  k = await openKeywardUnderTest();
  await seedProject(k, "alpha", []);
  await seedProject(k, "beta", []);
  const listed = (await k.call("GET", "/v1/tokens")).json().data as { id: string; name: string }[];
  rootId = listed.find((token) => token.name === "root")!.id;
});
afterAll(async () => {
  await k?.close();
});

const withoutRequestId = (body: string) => ({ ...JSON.parse(body).error, request_id: undefined });

describe("revoking tokens", () => {
  it("a tokens:write token cannot see or revoke the root token: it is outside its authority (404, as a missing one)", async () => {
    const writer = await seedToken(k, { name: "writer", scopes: ["tokens:write"] });
    const answer = await k.call("DELETE", `/v1/tokens/${rootId}`, { token: writer.secret });
    const missing = await k.call("DELETE", "/v1/tokens/tok_00000000000000000000", { token: writer.secret });
    expect(answer.statusCode).toBe(404);
    expect(withoutRequestId(answer.body)).toEqual({ ...withoutRequestId(missing.body), message: `token '${rootId}' was not found` });
    const listed = (await k.call("GET", "/v1/tokens", { token: writer.secret })).json().data.map((t: { id: string }) => t.id);
    expect(listed).not.toContain(rootId);
    expect((await k.call("GET", "/v1/keys")).statusCode).toBe(200);
  });

  it("the last active unbound admin token can never be revoked, not even by itself (409 naming the rule)", async () => {
    const self = await k.call("DELETE", `/v1/tokens/${rootId}`);
    expect(self.statusCode).toBe(409);
    expect(self.json().error).toMatchObject({ code: "CONFLICT" });
    expect(self.json().error.message).toContain("last active admin token with no binding");
    // An admin that expires does not keep the service manageable: root still cannot go.
    const temporary = await seedToken(k, { name: "temporary-admin", scopes: ["admin"], expires_at: new Date(k.clock.read().getTime() + HOUR).toISOString() });
    expect((await k.call("DELETE", `/v1/tokens/${rootId}`)).statusCode).toBe(409);
    await k.call("DELETE", `/v1/tokens/${temporary.id}`);
    // With a second permanent root token either may go, and then the other is the last.
    const second = await seedToken(k, { name: "second-root", scopes: ["admin"] });
    expect((await k.call("DELETE", `/v1/tokens/${second.id}`)).statusCode).toBe(204);
    expect((await k.call("GET", "/v1/keys")).statusCode).toBe(200);
  });

  it("the survivor of two root tokens is then the last one", async () => {
    const own = await openKeywardUnderTest();
    try {
      const rootOfOwn = (await own.call("GET", "/v1/tokens")).json().data[0].id as string;
      const successor = await seedToken(own, { name: "successor", scopes: ["admin"] });
      expect((await own.call("DELETE", `/v1/tokens/${rootOfOwn}`, { token: successor.secret })).statusCode).toBe(204);
      expect((await own.call("DELETE", `/v1/tokens/${successor.id}`, { token: successor.secret })).statusCode).toBe(409);
      expect((await own.call("GET", "/v1/keys", { token: successor.secret })).statusCode).toBe(200);
    } finally {
      await own.close();
    }
  });

  it("a test-bound token lists and revokes only test-bound tokens of its project", async () => {
    const testWriter = await seedToken(k, { name: "test-writer", scopes: ["tokens:write", "keys:read"], project: "alpha", environment: "test" });
    const live = await seedToken(k, { name: "live-reader", scopes: ["keys:read"], project: "alpha", environment: "live" });
    const test = await seedToken(k, { name: "test-reader", scopes: ["keys:read"], project: "alpha", environment: "test" });
    const listed = (await k.call("GET", "/v1/tokens", { token: testWriter.secret })).json().data.map((t: { id: string }) => t.id);
    expect(listed).toContain(test.id);
    expect(listed).not.toContain(live.id);
    expect((await k.call("DELETE", `/v1/tokens/${live.id}`, { token: testWriter.secret })).statusCode).toBe(404);
    expect((await k.call("GET", "/v1/keys", { token: live.secret })).statusCode).toBe(200);
    expect((await k.call("DELETE", `/v1/tokens/${test.id}`, { token: testWriter.secret })).statusCode).toBe(204);
    const creating = await k.call("POST", "/v1/tokens", { token: testWriter.secret, body: { name: "live-minted", scopes: ["keys:read"], environment: "live" } });
    expect(creating.statusCode).toBe(403);
    expect(creating.body).not.toContain("'live'");
  });
});

describe("granting tokens", () => {
  it("a token that expires in 1 h mints only tokens that expire no later", async () => {
    const expiresAt = new Date(k.clock.read().getTime() + HOUR).toISOString();
    const shortLived = await seedToken(k, { name: "short-lived", scopes: ["tokens:write", "keys:read"], expires_at: expiresAt });
    const inherited = await k.call("POST", "/v1/tokens", { token: shortLived.secret, body: { name: "inherits", scopes: ["keys:read"] } });
    expect(inherited.statusCode).toBe(201);
    expect(inherited.json().token.expires_at).toBe(expiresAt);
    const later = new Date(k.clock.read().getTime() + 2 * HOUR).toISOString();
    const longer = await k.call("POST", "/v1/tokens", { token: shortLived.secret, body: { name: "outlives", scopes: ["keys:read"], expires_at: later } });
    expect([longer.statusCode, longer.json().error.message]).toEqual([403, expect.stringContaining("body.expires_at")]);
    const sooner = new Date(k.clock.read().getTime() + HOUR / 2).toISOString();
    expect((await k.call("POST", "/v1/tokens", { token: shortLived.secret, body: { name: "sooner", scopes: ["keys:read"], expires_at: sooner } })).statusCode).toBe(201);
  });

  it("grants only scopes it holds (admin implies all, only admin grants admin) and a binding at least as narrow", async () => {
    const writer = await seedToken(k, { name: "alpha-writer", scopes: ["tokens:write", "keys:read"], project: "alpha" });
    const grant = (body: Record<string, unknown>) => k.call("POST", "/v1/tokens", { token: writer.secret, body: { name: `g${Math.random().toString(36).slice(2, 8)}`, ...body } });
    expect((await grant({ scopes: ["admin"] })).statusCode).toBe(403);
    expect((await grant({ scopes: ["keys:write"] })).json().error.message).toContain("body.scopes");
    const elsewhere = await grant({ scopes: ["keys:read"], project: "beta" });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.body).not.toContain("'beta'");
    const narrower = await grant({ scopes: ["keys:read"], environment: "live" });
    expect([narrower.statusCode, narrower.json().token]).toEqual([201, expect.objectContaining({ project: "alpha", environment: "live", scopes: ["keys:read"] })]);
    const admin = await seedToken(k, { name: "alpha-admin", scopes: ["admin"], project: "alpha" });
    const everything = await k.call("POST", "/v1/tokens", { token: admin.secret, body: { name: "alpha-everything", scopes: ["keys:write", "keys:revoke", "tokens:write"] } });
    expect(everything.statusCode).toBe(201);
  });
});

describe("environment binding covers every object", () => {
  it("a test-bound token with projects:write cannot erase a project (403) and the live keys survive", async () => {
    await seedProject(k, "erasable", []);
    const live = await seedKey(k, { project: "erasable", environment: "live", name: "prod", scopes: [] });
    const testBound = await seedToken(k, { name: "erasable-test", scopes: ["projects:write", "keys:read"], project: "erasable", environment: "test" });
    const answer = await k.call("DELETE", "/v1/projects/erasable", { token: testBound.secret });
    expect([answer.statusCode, answer.json().error.message]).toEqual([403, expect.stringContaining("no environment binding")]);
    expect((await k.call("GET", `/v1/keys/${live.id}`)).statusCode).toBe(200);
    const projectBound = await seedToken(k, { name: "erasable-owner", scopes: ["projects:write"], project: "erasable" });
    expect((await k.call("DELETE", "/v1/projects/erasable", { token: projectBound.secret })).statusCode).toBe(204);
    expect((await k.call("GET", `/v1/keys/${live.id}`)).statusCode).toBe(404);
  });

  it("a test-bound token cannot read live audit events", async () => {
    const live = await seedKey(k, { project: "alpha", environment: "live", name: "audited-live", scopes: [] });
    const test = await seedKey(k, { project: "alpha", environment: "test", name: "audited-test", scopes: [] });
    const auditor = await seedToken(k, { name: "test-auditor", scopes: ["audit:read"], project: "alpha", environment: "test" });
    const targets: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { target: string; environment: string | null }[]; next_cursor: string | null } = (
        await k.call("GET", `/v1/audit?limit=100${cursor ? `&cursor=${cursor}` : ""}`, { token: auditor.secret })
      ).json();
      expect(page.data.every((event) => event.environment !== "live")).toBe(true);
      targets.push(...page.data.map((event) => event.target));
      cursor = page.next_cursor;
    } while (cursor);
    expect(targets).toContain(test.id);
    expect(targets).not.toContain(live.id);
    expect((await k.call("GET", "/v1/audit?project=beta", { token: auditor.secret })).json()).toEqual({ data: [], next_cursor: null });
  });
});

describe("destructive verbs and invisibility", () => {
  it("DELETE /v1/keys/{id} needs keys:revoke as well as keys:write", async () => {
    const key = await seedKey(k, { project: "alpha", environment: "live", name: "precious", scopes: [] });
    const writer = await seedToken(k, { name: "key-writer", scopes: ["keys:write", "keys:read"] });
    const answer = await k.call("DELETE", `/v1/keys/${key.id}`, { token: writer.secret });
    expect([answer.statusCode, answer.json().error.message]).toEqual([403, "this token lacks the 'keys:revoke' scope"]);
    expect((await k.call("GET", `/v1/keys/${key.id}`)).json().status).toBe("active");
    const both = await seedToken(k, { name: "key-deleter", scopes: ["keys:write", "keys:revoke"] });
    expect((await k.call("DELETE", `/v1/keys/${key.id}`, { token: both.secret })).statusCode).toBe(204);
  });

  it("another project's or environment's object answers exactly as a missing one", async () => {
    const key = await seedKey(k, { project: "alpha", environment: "live", name: "hidden", scopes: [] });
    const betaToken = await seedToken(k, { name: "beta-all", scopes: ["admin"], project: "beta" });
    const testToken = await seedToken(k, { name: "alpha-test-all", scopes: ["admin"], project: "alpha", environment: "test" });
    const missingKey = "key_00000000000000000000";
    for (const token of [betaToken.secret, testToken.secret]) {
      for (const [method, suffix] of [["GET", ""], ["PATCH", ""], ["POST", "/revoke"], ["DELETE", ""], ["GET", "/usage"]] as const) {
        const body = method === "PATCH" ? { body: { metadata: {} } } : method === "POST" ? { body: {} } : {};
        const hidden = await k.call(method, `/v1/keys/${key.id}${suffix}`, { token, ...body });
        const missing = await k.call(method, `/v1/keys/${missingKey}${suffix}`, { token, ...body });
        expect(hidden.statusCode).toBe(404);
        expect(withoutRequestId(hidden.body)).toEqual({ ...withoutRequestId(missing.body), message: `key '${key.id}' was not found` });
      }
    }
    const hiddenProject = await k.call("GET", "/v1/projects/alpha", { token: betaToken.secret });
    const missingProject = await k.call("GET", "/v1/projects/nowhere", { token: betaToken.secret });
    expect(withoutRequestId(hiddenProject.body)).toEqual({ ...withoutRequestId(missingProject.body), message: "project 'alpha' was not found" });
    expect((await k.call("GET", `/v1/keys?project=alpha`, { token: betaToken.secret })).json()).toEqual({ data: [], next_cursor: null });
    expect((await k.call("GET", `/v1/keys/${key.id}`)).json().status).toBe("active");
  });
});
