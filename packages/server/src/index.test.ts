import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StartedKeyward, startKeyward } from "./index";

describe("startKeyward", () => {
  let server: StartedKeyward;
  beforeAll(async () => {
    server = await startKeyward();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("serves on a loopback port with a working root token", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.rootToken).toMatch(/^kwm_[0-9A-Za-z]{49}$/);
    const health = await fetch(`${server.url}/healthz`);
    expect(await health.json()).toEqual({ status: "ok", database: "ok" });
    const created = await fetch(`${server.url}/v1/projects`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.rootToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "billing-api" }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("x-request-id")).toBeTruthy();
  });

  it("refuses a token it did not issue", async () => {
    const other = await startKeyward();
    try {
      const answer = await fetch(`${server.url}/v1/projects`, { headers: { authorization: `Bearer ${other.rootToken}` } });
      expect(answer.status).toBe(401);
    } finally {
      await other.close();
    }
  });
});
