import { openApiDocument, routes } from "@keyward/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject } from "../../test/keyward-under-test";

let k: KeywardUnderTest;
beforeAll(async () => {
  k = await openKeywardUnderTest();
});
afterAll(async () => {
  await k?.close();
});

describe("system endpoints and cross-cutting behaviour", () => {
  it("GET /healthz reports the database without a token", async () => {
    const answer = await k.call("GET", "/healthz", { token: null });
    expect([answer.statusCode, answer.json()]).toEqual([200, { status: "ok", database: "ok" }]);
  });

  it("GET /openapi.json is the document generated from the contract, with every route", async () => {
    const document = (await k.call("GET", "/openapi.json", { token: null })).json();
    expect(document).toEqual(JSON.parse(JSON.stringify(openApiDocument("0.1.0"))));
    const operations = Object.values(document.paths as Record<string, Record<string, { operationId: string }>>).flatMap((path) => Object.values(path).map((op) => op.operationId));
    expect(operations.sort()).toEqual(Object.values(routes).map((route) => route.operationId).sort());
  });

  it("GET /metrics counts requests, latencies and verifications by code in Prometheus text", async () => {
    await seedProject(k, "metrics", []);
    const { secret } = await seedKey(k, { project: "metrics", environment: "test", name: "m", scopes: [] });
    await k.call("POST", "/v1/verify", { body: { key: secret } });
    await k.call("POST", "/v1/verify", { body: { key: "kw_test_nope" } });
    const answer = await k.call("GET", "/metrics", { token: null });
    expect(answer.headers["content-type"]).toContain("text/plain");
    expect(answer.body).toContain('keyward_verifications_total{code="VALID"} 1');
    expect(answer.body).toContain('keyward_verifications_total{code="NOT_FOUND"} 1');
    expect(answer.body).toMatch(/keyward_http_requests_total\{method="POST",route="\/v1\/verify",status="200"\} 2/);
    expect(answer.body).toContain('keyward_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/v1/verify"}');
    expect(answer.body).not.toContain(secret);
  });

  it("puts x-request-id on every answer, keeps a well-formed one from the caller, and quotes it in errors", async () => {
    const ok = await k.call("GET", "/healthz", { token: null });
    expect(ok.headers["x-request-id"]).toMatch(/^req_/);
    const mine = await k.call("GET", "/v1/nowhere", { headers: { "x-request-id": "trace-123" } });
    expect(mine.headers["x-request-id"]).toBe("trace-123");
    expect(mine.json()).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String), request_id: "trace-123" } });
    const forged = await k.call("GET", "/healthz", { token: null, headers: { "x-request-id": "<script>" } });
    expect(forged.headers["x-request-id"]).toMatch(/^req_/);
  });

  it("accepts a POST with no body and no content type as an empty object", async () => {
    await seedProject(k, "empty-body", []);
    const { id } = await seedKey(k, { project: "empty-body", environment: "test", name: "e", scopes: [] });
    const answer = await k.inject({ method: "POST", url: `/v1/keys/${id}/revoke`, headers: { authorization: `Bearer ${k.rootToken}` } });
    expect([answer.statusCode, answer.json().status]).toEqual([200, "revoked"]);
  });
});
