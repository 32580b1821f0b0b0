import { connect } from "node:net";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKeyward } from "../src/index";
import { createLogger } from "../src/logger";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject } from "./keyward-under-test";

/** SPEC §11 on PGlite: input the database cannot store, overflowing values, no echo, slow clients, engine faults. */
let k: KeywardUnderTest;
let keyId: string;
const SECRET_LIKE = "kw_live_4qGfJ8cXJmZk2sQwErTyUiOpAsDfGhJkLzXcVbNm123456abcdef";

beforeAll(async () => {
  k = await openKeywardUnderTest();
  await seedProject(k, "billing", ["invoices:read"]);
  keyId = (await seedKey(k, { project: "billing", environment: "live", name: "main", scopes: [] })).id;
});
afterAll(async () => {
  await k?.close();
});

function expectBadRequest(answer: { statusCode: number; body: string; json(): any }, field: string, message?: RegExp): void {
  expect(answer.statusCode, answer.body).toBe(400);
  const { error } = answer.json();
  expect(error.code).toBe("BAD_REQUEST");
  expect(error.details?.map((issue: { field: string }) => issue.field) ?? [error.message]).toContainEqual(expect.stringContaining(field));
  if (message) expect(error.message).toMatch(message);
}

describe("input the database cannot store", () => {
  it.each([
    ["a NUL in a project description", "POST", "/v1/projects", { name: "nul-desc", description: "a\u0000b" }, "body.description"],
    ["a NUL in a scope description", "PUT", "/v1/projects/billing/scopes/x:y", { description: "\u0000" }, "body.description"],
    ["a NUL in a metadata value", "POST", "/v1/keys", { project: "billing", environment: "live", name: "m1", scopes: [], metadata: { team: "a\u0000" } }, "body.metadata.team"],
    ["a lone surrogate in a metadata value", "POST", "/v1/keys", { project: "billing", environment: "live", name: "m2", scopes: [], metadata: { team: "\ud800" } }, "body.metadata.team"],
    ["a lone surrogate in a metadata key", "POST", "/v1/keys", { project: "billing", environment: "live", name: "m3", scopes: [], metadata: { "\udc00": "x" } }, "body.metadata"],
    ["a NUL in a key to verify", "POST", "/v1/verify", { key: "kw_live_\u0000" }, "body.key"],
  ])("refuses %s with 400 naming the field", async (_case, method, url, body, field) => {
    expectBadRequest(await k.call(method as "POST", url, { body }), field, /NUL|surrogate/);
  });

  it("refuses a NUL in ?action= with 400 naming the parameter", async () => {
    expectBadRequest(await k.call("GET", "/v1/audit?action=key.create%00"), "query.action");
  });

  it.each(["[1.5]", "[1e400]", "[-1]", '["x"]', "{}", "not json"])("refuses the audit cursor %s with 400", async (cursor) => {
    expectBadRequest(await k.call("GET", `/v1/audit?cursor=${Buffer.from(cursor).toString("base64url")}`), "query.cursor");
  });

  it("refuses a key-list cursor holding a NUL", async () => {
    expectBadRequest(await k.call("GET", `/v1/keys?cursor=${Buffer.from('["a\\u0000"]').toString("base64url")}`), "query.cursor");
  });
});

describe("values that overflow", () => {
  it("refuses a grace period of 100000000d: at most 10 years", async () => {
    expectBadRequest(await k.call("POST", `/v1/keys/${keyId}/rotate`, { body: { grace_period: "100000000d" } }), "body.grace_period", /at most 10 years/);
  });

  it("refuses a rotation longer than 10 years", async () => {
    const answer = await k.call("PATCH", `/v1/keys/${keyId}`, { body: { rotation: { every: "99999999999999999999d", grace_period: "1d" } } });
    expectBadRequest(answer, "body.rotation.every", /at most 10 years/);
  });

  it.each(["9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+23:59", "1969-12-31T23:59:59Z"])("refuses expires_at %s", async (expiresAt) => {
    expectBadRequest(await k.call("POST", "/v1/keys", { body: { project: "billing", environment: "live", name: "far", scopes: [], expires_at: expiresAt } }), "body.expires_at");
    expectBadRequest(await k.call("POST", "/v1/tokens", { body: { name: "far", scopes: ["keys:read"], expires_at: expiresAt } }), "body.expires_at");
  });

  it("refuses usage since a time beyond year 9999", async () => {
    expectBadRequest(await k.call("GET", `/v1/keys/${keyId}/usage?since=9999-12-31T23:59:59-23:59`), "query.since");
  });
});

describe("no echo", () => {
  const urls = [
    `/v1/keys/${SECRET_LIKE}%zz`, // bad percent-encoding: the router's own error
    `/v1/keys/${SECRET_LIKE.repeat(3)}`, // a path segment over the router's length limit
    `/v1/${SECRET_LIKE}`, // no such route
    `/v1/keys/${SECRET_LIKE}`, // a malformed id
    `/v1/keys?cursor=${SECRET_LIKE}`,
    `/v1/audit?${SECRET_LIKE}=1`,
  ];
  it.each(urls)("answers %s in the error envelope without echoing it", async (url) => {
    for (const method of ["GET", "POST", "DELETE", "PATCH", "PUT"] as const) {
      const answer = await k.call(method, url, { body: method === "GET" || method === "DELETE" ? undefined : { key: SECRET_LIKE } });
      expect(answer.statusCode).toBeGreaterThanOrEqual(400);
      expect(answer.statusCode).toBeLessThan(500);
      expect(Object.keys(answer.json())).toEqual(["error"]);
      expect(answer.json().error).toMatchObject({ code: expect.any(String), message: expect.any(String), request_id: expect.any(String) });
      expect(answer.body).not.toContain(SECRET_LIKE.slice(8));
    }
  });

  it("answers a malformed JSON body, a wrong content type and a body that is too large without echoing them", async () => {
    const bodies = [
      { payload: `{"key": "${SECRET_LIKE}"`, type: "application/json" },
      { payload: `key=${SECRET_LIKE}`, type: "application/x-www-form-urlencoded" },
      { payload: JSON.stringify({ key: SECRET_LIKE, pad: "x".repeat(70_000) }), type: "application/json" },
    ];
    for (const { payload, type } of bodies) {
      const answer = await k.inject({ method: "POST", url: "/v1/verify", payload, headers: { "content-type": type, authorization: `Bearer ${k.rootToken}` } });
      expect(answer.statusCode).toBeGreaterThanOrEqual(400);
      expect(answer.statusCode).toBeLessThan(500);
      expect(answer.json().error.code).toBeTypeOf("string");
      expect(answer.body).not.toContain(SECRET_LIKE.slice(8));
    }
  });

  it("answers malformed HTTP and oversized headers on a real socket in the envelope, echoing nothing", async () => {
    const server = await startKeyward();
    try {
      const port = Number(new URL(server.url).port);
      const requests = [`GET /v1/keys HTTP/1.1\r\nHost: x\r\nX-Secret: ${SECRET_LIKE}\r\nBad Header\r\n\r\n`, `GET /v1/keys HTTP/1.1\r\nHost: x\r\nX-Big: ${SECRET_LIKE.repeat(400)}\r\n\r\n`];
      for (const request of requests) {
        const raw = await exchange(port, request);
        expect(raw).toMatch(/^HTTP\/1\.1 400 /);
        const body = JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4));
        expect(body.error).toMatchObject({ code: "BAD_REQUEST", request_id: expect.any(String) });
        expect(raw).not.toContain(SECRET_LIKE.slice(8));
      }
    } finally {
      await server.close();
    }
  });

  it("never logs SQL bound parameters when PGlite refuses a statement", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "debug", destination: new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }) });
    const database = k.keyward.services.storage.database;
    const refused = await database.query("SELECT $1::integer", ["bound-parameter-value"]).catch((failure: unknown) => failure);
    const failed = await database.query("SELECT * FROM no_such_table WHERE name = $1", ["bound-parameter-value"]).catch((failure: unknown) => failure);
    logger.error({ err: refused }, "request failed");
    logger.error({ err: failed }, "request failed");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines.join("")).toContain("UnstorableValueError");
    expect(lines.join("")).toContain("SQLSTATE 42P01");
    expect(lines.join("")).not.toContain("bound-parameter-value");
  });
});

/** Writes `request` on a fresh connection and answers everything the server sent until it closed. */
function exchange(port: number, request: string, { slowly = false, silent = false } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => (received += String(chunk)));
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
    if (silent) return;
    if (!slowly) socket.write(request);
    else socket.write(request.slice(0, 20));
  });
}

/** A connection that wrote `request`: what it has received, and everything it received once the server closed it. */
function connection(port: number, request: string) {
  const socket = connect(port, "127.0.0.1");
  let text = "";
  const waiting = new Set<() => void>();
  socket.on("data", (chunk) => {
    text += String(chunk);
    for (const wake of waiting) wake();
  });
  const closed = new Promise<string>((resolve) => socket.on("close", () => resolve(text)));
  socket.write(request);
  const received = (part: string) =>
    new Promise<void>((resolve) => {
      const wake = () => text.includes(part) && (waiting.delete(wake), resolve());
      waiting.add(wake);
      wake();
    });
  return { socket, received, closed };
}

describe("slow clients", () => {
  it("closes connections whose headers or body arrive too slowly, and idle keep-alive connections", async () => {
    const server = await startKeyward({ httpTimeouts: { headersMs: 300, requestMs: 600, keepAliveMs: 400 } });
    try {
      const port = Number(new URL(server.url).port);
      // Headers never finish; the body never finishes; a completed request left idle on keep-alive.
      const slowHeaders = Array.from({ length: 3 }, () => exchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n", { slowly: true }));
      const slowBody = Array.from({ length: 3 }, () =>
        exchange(port, `POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"key":`),
      );
      const idle = exchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      const answers = await Promise.all([...slowHeaders, ...slowBody]);
      for (const raw of answers) {
        // Closed by the server, in the envelope where an answer could still be written.
        if (raw) expect(raw).toMatch(/^HTTP\/1\.1 400 [\s\S]*"code":"BAD_REQUEST"/);
      }
      expect(await idle).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      await server.close();
    }
  }, 20_000);

  it("shuts down without waiting for connections that have no request in flight, and answers the one that has", async () => {
    // Timeouts far beyond the test's own: only the shutdown may close these connections.
    const server = await startKeyward({ httpTimeouts: { headersMs: 600_000, requestMs: 600_000, keepAliveMs: 600_000 } });
    const port = Number(new URL(server.url).port);
    const silent = exchange(port, "", { silent: true });
    const keptAlive = connection(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    await keptAlive.received("HTTP/1.1 200 ");
    // A request whose body is still arriving when the shutdown starts, and is finished after. Its
    // headers were read once the server says "100 Continue".
    const body = JSON.stringify({ key: "kw_live_unknown" });
    const inFlight = connection(port, `POST /v1/verify HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
    await inFlight.received("100 Continue");
    const closed = server.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    inFlight.socket.write(body.slice(5));
    await closed;
    expect(await silent).toBe("");
    expect(await keptAlive.closed).toMatch(/^HTTP\/1\.1 200 /);
    expect(await inFlight.closed).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 401 /);
  });
});

describe("an engine that fails", () => {
  it("answers 20 parallel creates of one key name with one 201 and nineteen 409s", async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => k.call("POST", "/v1/keys", { body: { project: "billing", environment: "test", name: "same", scopes: [] } })),
    );
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([201, ...Array(19).fill(409)]);
  });

  it("answers 503 with Retry-After on every route once PGlite is gone, and /healthz says unavailable", async () => {
    const doomed = await openKeywardUnderTest();
    const { secret } = await (async () => {
      await seedProject(doomed, "gone", []);
      return seedKey(doomed, { project: "gone", environment: "live", name: "k", scopes: [] });
    })();
    await doomed.keyward.services.storage.database.close();
    for (const [method, url, body] of [
      ["POST", "/v1/verify", { key: secret }],
      ["GET", "/v1/keys", undefined],
      ["POST", "/v1/projects", { name: "later" }],
      ["GET", "/v1/audit/verify", undefined],
    ] as const) {
      const answer = await doomed.call(method, url, { body });
      expect(answer.statusCode, `${method} ${url}`).toBe(503);
      expect(answer.json().error.code).toBe("UNAVAILABLE");
      expect(Number(answer.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    }
    const health = await doomed.inject({ method: "GET", url: "/healthz" });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toEqual({ status: "degraded", database: "unavailable" });
    await doomed.keyward.app.close();
  });
});
