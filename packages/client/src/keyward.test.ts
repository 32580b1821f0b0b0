import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { type OperationId, routes, Secret } from "@keyward/contract";
import { Agent } from "undici";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeKeyward, keyId, newKeySecret, newTokenSecret, tokenId, verifiedSecret, webhookId } from "../test/fake-keyward";
import { Keyward, type KeywardOptions } from "./keyward";
import {
  BadRequestError,
  ConflictError,
  ConnectionError,
  InternalError,
  InvalidResponseError,
  KeywardError,
  NotFoundError,
  RateLimitedError,
  TimeoutError,
  UnavailableError,
} from "./keyward-error";

const token = newTokenSecret();
let fake: FakeKeyward;
let sleeps: number[];

function client(options: Partial<KeywardOptions> = {}): Keyward {
  return new Keyward({
    url: fake.url,
    token,
    dispatcher: fake.agent,
    sleep: async (milliseconds) => void sleeps.push(milliseconds),
    random: () => 0.5,
    ...options,
  });
}

/** Everything a log line or a crash report could show of an error. */
function everyRendering(error: unknown): string {
  return [
    String(error),
    (error as Error).stack ?? "",
    inspect(error, { depth: Infinity, showHidden: true }),
    JSON.stringify(error),
    JSON.stringify(error, Object.getOwnPropertyNames(error)),
  ].join("\n");
}

async function failure(promise: Promise<unknown>): Promise<KeywardError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(KeywardError);
  return error as KeywardError;
}

beforeEach(() => {
  fake = new FakeKeyward();
  sleeps = [];
});
afterEach(async () => {
  await fake.agent.close();
});

describe("Keyward client", () => {
  it("calls exactly the routes of the contract, one SDK method per endpoint", async () => {
    const keyward = client();
    const calls: [OperationId, () => Promise<unknown>][] = [
      ["health", () => keyward.health()],
      ["createProject", () => keyward.projects.create({ name: "billing-api", description: "Billing" })],
      ["listProjects", () => keyward.projects.list().toArray()],
      ["getProject", () => keyward.projects.get("billing-api")],
      ["deleteProject", () => keyward.projects.delete("billing-api")],
      ["putScope", () => keyward.scopes.put("billing-api", "invoices:read", { description: "Read invoices" })],
      ["listScopes", () => keyward.scopes.list("billing-api").toArray()],
      ["deleteScope", () => keyward.scopes.delete("billing-api", "invoices:read")],
      ["createKey", () => keyward.keys.create({ project: "billing-api", environment: "live", name: "ci", scopes: ["invoices:read"] })],
      ["listKeys", () => keyward.keys.list({ project: "billing-api" }).toArray()],
      ["getKey", () => keyward.keys.get(keyId)],
      ["updateKey", () => keyward.keys.update(keyId, { scopes: ["invoices:read"] })],
      ["rotateKey", () => keyward.keys.rotate(keyId, { grace_period: "1h" })],
      ["rollbackKey", () => keyward.keys.rollback(keyId)],
      ["revokeKey", () => keyward.keys.revoke(keyId)],
      ["deleteKey", () => keyward.keys.delete(keyId)],
      ["getKeyUsage", () => keyward.keys.usage(keyId, { granularity: "hour" })],
      ["verifyKey", () => keyward.verify({ key: newKeySecret(), scopes: ["invoices:read"] })],
      ["createToken", () => keyward.tokens.create({ name: "deployer", scopes: ["keys:read"] })],
      ["listTokens", () => keyward.tokens.list().toArray()],
      ["deleteToken", () => keyward.tokens.delete(tokenId)],
      ["exchangeToken", () => Keyward.exchangeIdToken({ url: fake.url, idToken: "header.payload.signature", dispatcher: fake.agent })],
      ["putTrustPolicy", () => keyward.trustPolicies.put("github-deploy", { issuer: "https://token.actions.githubusercontent.com", audience: "https://keyward.example.com", claims: { repository_id: "123456" }, scopes: ["keys:read"] })],
      ["listTrustPolicies", () => keyward.trustPolicies.list().toArray()],
      ["getTrustPolicy", () => keyward.trustPolicies.get("github-deploy")],
      ["deleteTrustPolicy", () => keyward.trustPolicies.delete("github-deploy")],
      ["listAudit", () => keyward.audit.list({ project: "billing-api" }).toArray()],
      ["verifyAudit", () => keyward.audit.verify()],
      ["exportAudit", () => keyward.audit.export({ since: "2026-01-01T00:00:00Z" })],
      ["createAuditCheckpoint", () => keyward.audit.checkpoint()],
      ["getProjectPolicy", () => keyward.projects.getPolicy("billing-api")],
      ["putProjectPolicy", () => keyward.projects.putPolicy("billing-api", { test: { exposure: "notify" } })],
      ["createWebhook", () => keyward.webhooks.create({ url: "https://hooks.example.com/keyward", events: ["key.rotated"], project: "billing-api" })],
      ["listWebhooks", () => keyward.webhooks.list().toArray()],
      ["getWebhook", () => keyward.webhooks.get(webhookId)],
      ["deleteWebhook", () => keyward.webhooks.delete(webhookId)],
      ["listWebhookDeliveries", () => keyward.webhooks.deliveries(webhookId).toArray()],
    ];
    for (const [operationId, call] of calls) {
      const before = fake.requests.length;
      await call();
      expect(fake.requests.slice(before).map((request) => request.operationId)).toEqual([operationId]);
    }
    // The in-process verifier calls three: its snapshot, its change stream, and (on close, having counted one verification) its usage report.
    const opened = fake.requests.length;
    const verifier = await keyward.verifier({ project: "billing-api" });
    expect(verifier.verifySync(verifiedSecret)).toMatchObject({ valid: true, code: "VALID", key: { id: keyId } });
    await verifier.close();
    const verifierCalls = [...new Set(fake.requests.slice(opened).map((request) => request.operationId))];
    expect(verifierCalls).toEqual(["getVerifierSnapshot", "streamVerifierEvents", "reportVerifierUsage"]);
    // Every JSON endpoint of the table has its method; metrics and openapi are not JSON API calls, and
    // the secret scanning endpoint is GitHub's to call (signed by GitHub, no management token).
    const untouched = Object.keys(routes).filter((operationId) => !calls.some(([called]) => called === operationId) && !verifierCalls.includes(operationId as OperationId));
    expect(untouched.sort()).toEqual(["metrics", "openapi", "reportGithubSecrets"]);
  });

  it("refuses verifier options it cannot honour before any request, naming the option", async () => {
    const keyward = client();
    await expect(keyward.verifier({ project: "Billing API" })).rejects.toThrow(/^Invalid project: expected a project name/);
    await expect(keyward.verifier({ project: "billing-api", onStale: "ignore" as never })).rejects.toThrow(/^Invalid onStale 'ignore'/);
    await expect(keyward.verifier({ project: "billing-api", staleAfterMs: 5_000 })).rejects.toThrow(/^Invalid staleAfterMs '5000'.*at most 1000/);
    expect(fake.requests).toEqual([]);
  });

  it("exchanges an ID token without a bearer token and hands back the minted secret as a Secret", async () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvYXBpIn0.c2lnbmF0dXJl";
    const exchanged = await Keyward.exchangeIdToken({ url: fake.url, idToken: jwt, dispatcher: fake.agent });
    const [request] = fake.requests;
    expect(request?.path).toBe("/v1/tokens/exchange");
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body).toEqual({ jwt });
    expect(String(exchanged.secret)).toMatch(/^Secret\(kwm_…/);
    expect(JSON.stringify(exchanged)).not.toContain(exchanged.secret.reveal());
  });

  it("sends the bearer token, JSON bodies and path parameters as the contract says", async () => {
    await client().scopes.put("billing-api", "invoices:read", { description: "Read invoices" });
    const [request] = fake.requests;
    expect(request?.path).toBe("/v1/projects/billing-api/scopes/invoices%3Aread");
    expect(request?.headers.authorization).toBe(`Bearer ${token}`);
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.body).toEqual({ description: "Read invoices" });
    expect(request?.headers["user-agent"]).toMatch(/^keyward-client\/\d+\.\d+\.\d+ node\//);
  });

  it("turns query booleans and numbers into query-string text", async () => {
    await client().keys.page({ project: "billing-api", rotation_due: true, limit: 5, status: "active" });
    expect(Object.fromEntries(fake.requests[0]?.query ?? [])).toEqual({ project: "billing-api", rotation_due: "true", limit: "5", status: "active" });
  });

  it("keeps a path prefix of the service URL", async () => {
    fake.agent
      .get("http://proxy.test")
      .intercept({ path: "/keyward/v1/projects/billing-api", method: "GET" })
      .reply(200, JSON.stringify({ name: "billing-api", description: null, created_at: "2026-11-22T07:00:00Z" }));
    const project = await client({ url: "http://proxy.test/keyward/" }).projects.get("billing-api");
    expect(project.name).toBe("billing-api");
  });

  it("reports whether a scope PUT created (201) or updated (200) the scope", async () => {
    const keyward = client();
    const scope = { project: "billing-api", name: "invoices:read", description: null, created_at: "2026-11-22T07:00:00Z", updated_at: "2026-11-22T07:00:00Z" };
    fake.script({ status: 201, body: scope }, { status: 200, body: scope });
    expect((await keyward.scopes.put("billing-api", "invoices:read")).created).toBe(true);
    expect((await keyward.scopes.put("billing-api", "invoices:read")).created).toBe(false);
  });

  it("walks every page of a list, passing the cursor on", async () => {
    const project = (name: string) => ({ name, description: null, created_at: "2026-11-22T07:00:00Z" });
    fake.script(
      { status: 200, body: { data: [project("a-one"), project("a-two")], next_cursor: "c1" } },
      { status: 200, body: { data: [project("b-one")], next_cursor: "c2" } },
      { status: 200, body: { data: [project("c-one")], next_cursor: null } },
    );
    const names: string[] = [];
    for await (const item of client().projects.list({ limit: 2 })) names.push(item.name);
    expect(names).toEqual(["a-one", "a-two", "b-one", "c-one"]);
    expect(fake.requests.map((request) => request.query.get("cursor"))).toEqual([null, "c1", "c2"]);
    expect(fake.requests.every((request) => request.query.get("limit") === "2")).toBe(true);
  });

  it("stops fetching when the caller stops iterating", async () => {
    const project = { name: "a-one", description: null, created_at: "2026-11-22T07:00:00Z" };
    fake.script({ status: 200, body: { data: [project, project], next_cursor: "c1" } });
    expect(await client().projects.list().toArray(1)).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
  });

  it("returns created and rotated secrets as Secret values that do not print themselves", async () => {
    const keyward = client();
    const created = await keyward.keys.create({ project: "billing-api", environment: "live", name: "ci", scopes: [] });
    const rotated = await keyward.keys.rotate(keyId, { grace_period: "1h" });
    const minted = await keyward.tokens.create({ name: "deployer", scopes: ["keys:read"] });
    for (const result of [created, rotated, minted]) {
      expect(result.secret).toBeInstanceOf(Secret);
      const plaintext = result.secret.reveal();
      expect(plaintext).toMatch(/^kwm?_/);
      expect(JSON.stringify(result)).not.toContain(plaintext);
      expect(inspect(result, { depth: Infinity })).not.toContain(plaintext);
    }
    expect(rotated.previous).toEqual({ version: 1, expires_at: "2026-11-22T07:00:00.000Z" });
  });

  it("sends a Secret's plaintext to verify, and a verification failure is an answer, not an error", async () => {
    const secret = newKeySecret();
    fake.script({ status: 200, body: { valid: false, code: "REVOKED" } });
    expect(await client().verify({ key: new Secret(secret), scopes: ["invoices:read"] })).toEqual({ valid: false, code: "REVOKED" });
    expect(fake.requests[0]?.body).toEqual({ key: secret, scopes: ["invoices:read"] });
  });

  it("puts an Idempotency-Key on every POST and none on other methods", async () => {
    const keyward = client();
    await keyward.projects.create({ name: "billing-api" });
    await keyward.keys.rollback(keyId);
    await keyward.verify({ key: "kw_live_x" });
    await keyward.keys.get(keyId);
    await keyward.scopes.put("billing-api", "invoices:read");
    const keys = fake.requests.map((request) => request.headers["idempotency-key"]);
    expect(keys.slice(0, 3).every((key) => typeof key === "string" && key.length >= 16)).toBe(true);
    expect(new Set(keys.slice(0, 3)).size).toBe(3);
    expect(keys.slice(3)).toEqual([undefined, undefined]);
  });

  it("reuses one Idempotency-Key across the retries of a rotation, so the key rotates once", async () => {
    fake.script({ status: 503, body: { error: { code: "UNAVAILABLE", message: "database restarting", request_id: "r1" } } }, { status: 500, body: "" });
    const rotated = await client().keys.rotate(keyId, { grace_period: "1h" });
    expect(rotated.key.version).toBe(2);
    const keys = fake.requests.map((request) => request.headers["idempotency-key"]);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
  });

  it("uses the caller's Idempotency-Key when given", async () => {
    await client().keys.rotate(keyId, {}, { idempotencyKey: "rotate-ci-2026-11" });
    expect(fake.requests[0]?.headers["idempotency-key"]).toBe("rotate-ci-2026-11");
  });

  it("honours Retry-After on 429 and backs off with jitter otherwise", async () => {
    const limited = { error: { code: "RATE_LIMITED", message: "slow down", request_id: "r1" } };
    fake.script(
      { status: 429, body: limited, headers: { "retry-after": "3" } },
      { status: 502, body: "<html>bad gateway</html>", headers: { "content-type": "text/html" } },
    );
    await client({ maxRetries: 3 }).projects.get("billing-api");
    // Retry 1: the server's 3 s. Retry 2: full jitter in [0, 2 × 500 ms) with random() = 0.5.
    expect(sleeps).toEqual([3_000, 500]);
    expect(fake.requests).toHaveLength(3);
  });

  it("gives up after maxRetries and throws the last error", async () => {
    const unavailable = { status: 503, body: { error: { code: "UNAVAILABLE", message: "database unreachable", request_id: "r9" } } };
    fake.script(unavailable, unavailable, unavailable);
    const error = await failure(client({ maxRetries: 2 }).health());
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.requestId).toBe("r9");
    expect(fake.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it("does not retry a 4xx other than 429", async () => {
    fake.script({ status: 409, body: { error: { code: "CONFLICT", message: "scope invoices:read is held by key ci", request_id: "r2" } } });
    const error = await failure(client().scopes.delete("billing-api", "invoices:read"));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe("scope invoices:read is held by key ci");
    expect(error.status).toBe(409);
    expect(fake.requests).toHaveLength(1);
  });

  it("exposes the validation issues of a 400", async () => {
    const details = [{ field: "body.scopes[0]", message: "must be 1-128 characters" }];
    fake.script({ status: 400, body: { error: { code: "BAD_REQUEST", message: "body.scopes[0]: must be 1-128 characters", request_id: "r3", details } } });
    const error = await failure(client().keys.create({ project: "billing-api", environment: "live", name: "ci", scopes: ["Bad Scope"] }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.issues).toEqual(details);
  });

  it("rejects an answer that does not match the contract", async () => {
    fake.script({ status: 200, body: { name: "BAD NAME" } });
    const error = await failure(client().projects.get("billing-api"));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toContain("response.name");
  });

  it("maps a 404 to NotFoundError with the server's message and request id", async () => {
    fake.script({ status: 404, body: { error: { code: "NOT_FOUND", message: "no key key_0123456789ABCDEFGHIJ", request_id: "req_404" } } });
    const error = await failure(client().keys.get(keyId));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: "NOT_FOUND", status: 404, requestId: "req_404" });
  });

  it("validates its options with messages that never quote the token", () => {
    expect(() => client({ url: "ftp://x" })).toThrow("Invalid url 'ftp://x'. Expected an http or https URL");
    expect(() => client({ token: " " })).toThrow("Invalid token");
    expect(() => client({ maxRetries: -1 })).toThrow("Invalid maxRetries '-1'");
    expect(() => Keyward.fromEnvironment({ KEYWARD_URL: "http://127.0.0.1:1" })).toThrow("KEYWARD_TOKEN is not set");
    expect(inspect(client(), { depth: Infinity, showHidden: true })).not.toContain(token);
  });
});

describe("errors never carry a secret or the token", () => {
  it("from a create or rotation whose answer held a secret the contract rejects", async () => {
    const secrets = [newKeySecret(), newKeySecret()];
    fake.script({ status: 201, body: { key: { id: "nope" }, secret: secrets[0] } }, { status: 200, body: { key: null, secret: secrets[1], previous: 7 } });
    const keyward = client();
    const errors = [
      await failure(keyward.keys.create({ project: "billing-api", environment: "live", name: "ci", scopes: [] })),
      await failure(keyward.keys.rotate(keyId, { grace_period: "1h" })),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(InvalidResponseError);
      const shown = everyRendering(error);
      for (const secret of [...secrets, token]) expect(shown).not.toContain(secret);
    }
  });

  it("from a failed create, rotation and verification", async () => {
    const presented = newKeySecret();
    const internal = { status: 500, body: { error: { code: "INTERNAL", message: "internal error", request_id: "r5" } } };
    fake.script(internal, { status: 429, body: { error: { code: "RATE_LIMITED", message: "too many failed authentications", request_id: "r6" } } }, internal);
    const keyward = client({ maxRetries: 0 });
    const errors = [
      await failure(keyward.keys.create({ project: "billing-api", environment: "live", name: "ci", scopes: [], metadata: { note: presented } })),
      await failure(keyward.keys.rotate(keyId, { grace_period: "1h" })),
      await failure(keyward.verify({ key: presented })),
    ];
    expect(errors.map((error) => error.constructor)).toEqual([InternalError, RateLimitedError, InternalError]);
    for (const error of errors) {
      const shown = everyRendering(error);
      expect(shown).not.toContain(presented);
      expect(shown).not.toContain(token);
    }
  });

  it("from a connection that fails", async () => {
    const dispatcher = new Agent();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const keyward = new Keyward({ url: `http://127.0.0.1:${port}`, token, dispatcher, maxRetries: 1, sleep: async () => {} });
    const error = await failure(keyward.keys.rotate(keyId, { grace_period: "1h" }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain(`http://127.0.0.1:${port}`);
    expect(everyRendering(error)).not.toContain(token);
    await dispatcher.close();
  });
});

describe("timeouts", () => {
  let silent: Server;
  let url: string;
  const dispatcher = new Agent();

  beforeEach(async () => {
    // Accepts the request and never answers.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });
  afterAll(async () => {
    await dispatcher.close();
  });

  it("fails a call that gets no answer within timeoutMs, after its retries", async () => {
    const waits: number[] = [];
    let attempts = 0;
    silent.on("request", () => attempts++);
    // Long enough for a busy machine to deliver each attempt to the server before it is abandoned.
    const keyward = new Keyward({ url, token, dispatcher, timeoutMs: 1_000, maxRetries: 1, sleep: async (ms) => void waits.push(ms), random: () => 0 });
    const error = await failure(keyward.keys.get(keyId));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toContain("within 1000 ms");
    expect(attempts).toBe(2);
    expect(waits).toEqual([0]);
  });

  it("lets the caller abandon a call with an AbortSignal, without retrying", async () => {
    const controller = new AbortController();
    const keyward = new Keyward({ url, token, dispatcher, timeoutMs: 60_000, maxRetries: 3, sleep: async () => {} });
    silent.once("request", () => controller.abort());
    await expect(keyward.keys.get(keyId, { signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
  });
});
