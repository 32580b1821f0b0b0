import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/logger";
import { type KeywardUnderTest, openKeywardUnderTest, seedProject } from "./keyward-under-test";

/**
 * Issue 2 acceptance 6 / SPEC §9: after issuing, rotating and verifying keys (and making mistakes
 * with them), no secret appears in the data directory, the debug log or any error body, in any
 * common encoding.
 */
let k: KeywardUnderTest;
let dataDir: string;
const logChunks: Buffer[] = [];
const errorBodies: string[] = [];
const secrets: string[] = [];

function encodings(secret: string): string[] {
  const body = secret.slice(secret.lastIndexOf("_") + 1, -6);
  const bytes = Buffer.from(secret, "utf8");
  return [secret, body, bytes.toString("base64"), bytes.toString("base64url"), bytes.toString("hex"), encodeURIComponent(secret), JSON.stringify(secret)];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "keyward-leak-"));
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logChunks.push(Buffer.from(chunk));
      done();
    },
  });
  k = await openKeywardUnderTest({ dataDir, logger: createLogger({ level: "debug", destination: sink }) });
  secrets.push(k.rootToken);
  await seedProject(k, "billing", ["invoices:read"]);
  const remember = (body: string) => {
    errorBodies.push(body);
  };

  for (const environment of ["live", "test"]) {
    const created = await k.call("POST", "/v1/keys", {
      body: { project: "billing", environment, name: `leak-${environment}`, scopes: ["invoices:read"] },
      headers: { "idempotency-key": `create-${environment}` },
    });
    const { key, secret } = created.json();
    secrets.push(secret);
    const rotated = await k.call("POST", `/v1/keys/${key.id}/rotate`, { body: { grace_period: "1h" }, headers: { "idempotency-key": `rotate-${environment}` } });
    secrets.push(rotated.json().secret);
    for (const candidate of [secret, rotated.json().secret]) {
      await k.call("POST", "/v1/verify", { body: { key: candidate, scopes: ["invoices:read"], ip: "10.0.0.1" } });
      // Mistakes a user makes with a secret in hand: each must fail without echoing it.
      remember((await k.call("POST", "/v1/verify", { body: { key: candidate, scopes: candidate } })).body);
      remember((await k.call("POST", "/v1/verify", { body: { key: candidate, colour: candidate } })).body);
      remember((await k.call("POST", "/v1/verify", { body: `{"key": "${candidate}"`, headers: { "content-type": "application/json" } })).body);
      remember((await k.call("POST", "/v1/verify", { body: candidate, headers: { "content-type": "text/plain" } })).body);
      remember((await k.call("GET", `/v1/keys/${candidate}`)).body);
      remember((await k.call("GET", `/v1/keys?name=${candidate}`)).body);
      remember((await k.call("POST", "/v1/keys", { body: { project: "billing", environment, name: candidate, scopes: [candidate], metadata: { note: candidate } } })).body);
      remember((await k.call("GET", "/v1/projects", { token: candidate })).body);
      remember((await k.call("GET", "/v1/projects", { token: null, headers: { authorization: candidate } })).body);
    }
  }
  const token = await k.call("POST", "/v1/tokens", { body: { name: "ci", scopes: ["keys:read"] } });
  secrets.push(token.json().secret);
  remember((await k.call("GET", "/v1/projects", { token: `${token.json().secret}x` })).body);
  await k.call("DELETE", `/v1/tokens/${token.json().token.id}`);
  remember((await k.call("GET", "/v1/projects", { token: token.json().secret })).body);
  await k.close();
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe("no secret leaks", () => {
  it("issued real secrets and produced real logs and errors (the scan has something to scan)", () => {
    expect(secrets).toHaveLength(6);
    expect(Buffer.concat(logChunks).toString("utf8")).toContain('"route":"/v1/verify"');
    expect(errorBodies.length).toBeGreaterThan(30);
    // The scan does find what the database does hold: the key's name, written in plain text.
    expect(filesUnder(dataDir).some((path) => readFileSync(path).includes("leak-live"))).toBe(true);
  });

  it("none in the data directory", () => {
    const haystacks = filesUnder(dataDir).map((path) => readFileSync(path));
    for (const secret of secrets) {
      for (const form of encodings(secret)) {
        const hits = haystacks.filter((bytes) => bytes.includes(form));
        expect(hits.length, `${secret.slice(0, 8)}… as ${form.length} characters`).toBe(0);
      }
    }
  });

  it("none in the debug log", () => {
    const log = Buffer.concat(logChunks).toString("utf8");
    for (const secret of secrets) for (const form of encodings(secret)) expect(log.includes(form)).toBe(false);
  });

  it("none in any error body", () => {
    const bodies = errorBodies.join("\n");
    expect(bodies).toContain('"code":"BAD_REQUEST"');
    for (const secret of secrets) for (const form of encodings(secret)) expect(bodies.includes(form)).toBe(false);
  });
});
