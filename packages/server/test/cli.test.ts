import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanEnv, runCli, serveCli } from "./built-cli";
import { openKeywardUnderTest } from "./keyward-under-test";

const root = mkdtempSync(join(tmpdir(), "keyward-cli-"));
const env = cleanEnv();

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const keyward = (args: string[]) => runCli(args, env);
const serve = (dataDir: string) => serveCli(dataDir, env);

async function api(url: string, token: string, method: string, path: string, body?: unknown) {
  const answer = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return answer.json() as Promise<Record<string, any>>;
}

describe("keyward init", () => {
  it("prints the root token alone on stdout, and refuses to run twice", async () => {
    const dataDir = join(root, "init");
    const first = await keyward(["init", "--data-dir", dataDir]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^kwm_[0-9A-Za-z]{49}\n$/);
    const second = await keyward(["init", "--data-dir", dataDir]);
    expect(second.code).toBe(1);
    expect(second.stdout).toBe("");
    expect(second.stderr).toContain("already initialised");
  });

  it("names the flag when a value is wrong", async () => {
    const answer = await keyward(["serve", "--data-dir", join(root, "bad"), "--port", "eighty"]);
    expect(answer.code).toBe(1);
    expect(answer.stderr).toContain("--port must be a port number");
    const proxy = await keyward(["serve", "--data-dir", join(root, "bad"), "--trust-proxy", "10.0.0.0/8,proxy.internal"]);
    expect([proxy.code, proxy.stderr.includes("--trust-proxy: entry 2 must be an IP address or a CIDR range")]).toEqual([1, true]);
  });
});

describe("keyward token recover", () => {
  it("mints one new root token, printed alone on stdout, revokes nothing and is audited", async () => {
    const dataDir = join(root, "recover");
    const missing = await keyward(["token", "recover", "--data-dir", dataDir]);
    expect([missing.code, missing.stdout, missing.stderr.includes("no pepper")]).toEqual([1, "", true]);
    const first = (await keyward(["init", "--data-dir", dataDir])).stdout.trim();
    const recovered = await keyward(["token", "recover", "--data-dir", dataDir]);
    expect(recovered.code).toBe(0);
    expect(recovered.stdout).toMatch(/^kwm_[0-9A-Za-z]{49}\n$/);
    const secret = recovered.stdout.trim();
    expect(recovered.stderr).not.toContain(secret);

    const opened = await openKeywardUnderTest({ dataDir });
    try {
      const tokens = (await opened.call("GET", "/v1/tokens", { token: secret })).json().data as { name: string; scopes: string[]; project: null; environment: null }[];
      expect(tokens.map((token) => [token.name, token.scopes, token.project, token.environment])).toEqual(
        expect.arrayContaining([["root", ["admin"], null, null], ["root-recovered", ["admin"], null, null]]),
      );
      expect((await opened.call("GET", "/v1/keys", { token: first })).statusCode).toBe(200);
      const events = (await opened.call("GET", "/v1/audit?action=token.recover", { token: secret })).json().data;
      expect(events).toHaveLength(1);
      expect(JSON.stringify(events)).not.toContain(secret);
    } finally {
      await opened.close();
    }
  }, 120_000);
});

describe("keyward serve", () => {
  it("initialises once, logs JSON, shuts down on SIGTERM without losing usage, and keeps the data directory to itself", async () => {
    const dataDir = join(root, "serve");
    const first = await serve(dataDir);
    expect(first.stdout).toHaveLength(1);
    const rootToken = first.stdout[0] as string;
    expect(rootToken).toMatch(/^kwm_/);
    await api(first.url, rootToken, "POST", "/v1/projects", { name: "cli" });
    const created = await api(first.url, rootToken, "POST", "/v1/keys", { project: "cli", environment: "test", name: "k", scopes: [] });
    expect((await api(first.url, rootToken, "POST", "/v1/verify", { key: created.secret })).code).toBe("VALID");

    const locked = await keyward(["init", "--data-dir", dataDir]);
    expect([locked.code, locked.stderr.includes("in use by process")]).toEqual([1, true]);

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    const second = await serve(dataDir);
    try {
      expect(second.stdout).toEqual([]);
      const usage = await api(second.url, rootToken, "GET", `/v1/keys/${created.key.id}/usage`);
      expect(usage.buckets.flatMap((bucket: { counts: Record<string, number> }) => Object.entries(bucket.counts))).toEqual([["VALID", 1]]);
      await api(second.url, rootToken, "POST", `/v1/keys/${created.key.id}/revoke`, {});
    } finally {
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    }

    const bad = await keyward(["purge", "--data-dir", dataDir, "--older-than", "a while"]);
    expect([bad.code, bad.stderr.includes("--older-than must be")]).toEqual([1, true]);
    const kept = await keyward(["purge", "--data-dir", dataDir]);
    expect(JSON.parse(kept.stdout)).toEqual({ keys: 0, audit_events: 0, idempotent_answers: 0, webhook_deliveries: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const purged = await keyward(["purge", "--data-dir", dataDir, "--older-than", "1s"]);
    expect(JSON.parse(purged.stdout)).toMatchObject({ keys: 1 });
    expect(JSON.parse(purged.stdout).audit_events).toBeGreaterThan(3);
    // Six processes each open the embedded database from disk: seconds apiece on a busy machine.
  }, 300_000);
});
