// Issue 2, acceptance 2, through the built `keyward` CLI against a real in-process key service:
// project, scopes, a live key with two scopes, verify, rotate with a grace period, roll back,
// revoke, and the audit log that saw every step.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startKeyward } from "@keyward/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { secretForms } from "./leak-scanner/leak-scanner";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = `${root}packages/server/bin/keyward.js`;
const built = `${root}packages/server/dist/cli.js`;

interface Run {
  stdout: string;
  stderr: string;
  exitCode: number;
}

let service: Awaited<ReturnType<typeof startKeyward>>;
let env: NodeJS.ProcessEnv;
/** Everything the CLI printed, searched for secrets at the end. */
const transcript: string[] = [];

/** `keyward …args`, with the token in the environment and anything secret on stdin. */
function keyward(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [bin, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") return reject(error);
      transcript.push(stdout, stderr);
      resolve({ stdout, stderr, exitCode: typeof error?.code === "number" ? error.code : 0 });
    });
    child.stdin?.end(stdin ?? "");
  });
}

async function json<T = any>(args: string[], stdin?: string): Promise<T> {
  const run = await keyward([...args, "--json"], stdin);
  if (run.exitCode !== 0 && !args.includes("verify")) throw new Error(`keyward ${args.join(" ")} failed (${run.exitCode}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

const verify = (secret: string, ...scopes: string[]) => json(["verify", "-", ...scopes.flatMap((scope) => ["--scope", scope])], secret);

beforeAll(async () => {
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` (or \`node scripts/build.mjs server\`) first.`);
  service = await startKeyward();
  env = { PATH: process.env.PATH, KEYWARD_URL: service.url, KEYWARD_TOKEN: service.rootToken };
});

afterAll(async () => {
  await service?.close();
});

describe("keyward CLI: a key's life (issue 2, acceptance 2)", () => {
  const secrets: string[] = [];
  let keyId = "";

  it("creates a project, declares two scopes and issues a live key holding both", async () => {
    expect(await json(["projects", "create", "billing-api", "--description", "Invoices"])).toMatchObject({ name: "billing-api" });
    for (const scope of ["invoices:read", "invoices:write"]) {
      expect(await json(["scopes", "create", "billing-api", scope])).toMatchObject({ created: true, scope: { name: scope } });
    }
    const created = await keyward(["keys", "create", "--project", "billing-api", "--environment", "live", "--name", "ci-deployer", "--scope", "invoices:read", "--scope", "invoices:write"]);
    expect(created.exitCode).toBe(0);
    // Human mode: the secret alone on stdout, the details on stderr.
    expect(created.stdout).toMatch(/^kw_live_[0-9A-Za-z]{49}\n$/);
    secrets.push(created.stdout.trim());
    const key = await json(["keys", "get", "billing-api/live/ci-deployer"]);
    expect(key).toMatchObject({ environment: "live", scopes: ["invoices:read", "invoices:write"], status: "active", version: 1 });
    expect(JSON.stringify(key)).not.toContain(secrets[0]);
    keyId = key.id;
  });

  it("verifies the key (VALID) and refuses a scope it does not hold (INSUFFICIENT_SCOPE, exit 3)", async () => {
    expect(await verify(secrets[0]!, "invoices:read", "invoices:write")).toMatchObject({ valid: true, code: "VALID", key: { id: keyId } });
    const undeclared = await keyward(["verify", "-", "--scope", "invoices:delete", "--json"], secrets[0]);
    expect(JSON.parse(undeclared.stdout)).toMatchObject({ valid: false, code: "INSUFFICIENT_SCOPE" });
    expect(undeclared.exitCode).toBe(3);
  });

  it("rotates with a 1 h grace period: both secrets VALID, the old one until about an hour from now", async () => {
    const before = Date.now();
    const rotated = await json(["keys", "rotate", keyId, "--grace-period", "1h"]);
    secrets.push(rotated.secret);
    expect(rotated.key.version).toBe(2);
    expect(rotated.previous.version).toBe(1);
    const graceEnds = Date.parse(rotated.previous.expires_at) - before;
    expect(graceEnds).toBeGreaterThan(59 * 60_000);
    expect(graceEnds).toBeLessThanOrEqual(61 * 60_000);
    expect(rotated.secret).not.toBe(secrets[0]);
    expect((await verify(secrets[0]!)).code).toBe("VALID");
    expect((await verify(secrets[1]!)).code).toBe("VALID");
  });

  it("rolls back: the old secret VALID again, the new one REVOKED", async () => {
    const rolledBack = await keyward(["keys", "rollback", keyId]);
    expect(rolledBack.exitCode).toBe(0);
    expect(rolledBack.stdout).toMatch(/status\s+│ active/);
    const old = await verify(secrets[0]!);
    expect(old).toMatchObject({ valid: true, code: "VALID", key: { expires_at: null } });
    expect((await verify(secrets[1]!)).code).toBe("REVOKED");
  });

  it("revokes: REVOKED on the very next verification", async () => {
    expect(await json(["keys", "revoke", keyId])).toMatchObject({ id: keyId, status: "revoked" });
    expect(await verify(secrets[0]!)).toMatchObject({ valid: false, code: "REVOKED" });
    const list = await keyward(["keys", "list", "--project", "billing-api", "--status", "revoked"]);
    expect(list.stdout).toContain(keyId);
  });

  it("shows every step in the audit log, and the chain verifies", async () => {
    const events: { action: string; target: string | null }[] = await json(["audit", "list", "--project", "billing-api"]);
    const actions = events.map((event) => event.action);
    for (const step of [/project/, /scope/, /create/, /rotate/, /rollback/, /revoke/]) {
      expect(actions.some((action) => step.test(action)), `an audit event for ${step}: ${actions.join(", ")}`).toBe(true);
    }
    expect(events.filter((event) => event.target === keyId).length).toBeGreaterThanOrEqual(4);
    const table = await keyward(["audit", "list", "--project", "billing-api"]);
    expect(table.stdout).toMatch(/SEQ\s+│ TIME/);
    const chain = await keyward(["audit", "verify", "--json"]);
    expect(chain.exitCode).toBe(0);
    expect(JSON.parse(chain.stdout)).toMatchObject({ ok: true });
  });

  it("prints a secret only where it was issued, in no encoded form elsewhere", () => {
    const printed = transcript.join("\n");
    for (const secret of secrets) {
      // Once, by the command that issued it (verify reads secrets from stdin).
      expect(printed.split(secret).length - 1).toBe(1);
      for (const { form, text } of secretForms(secret).filter(({ form }) => form !== "plain")) expect(printed, form).not.toContain(text);
    }
    for (const { form, text } of secretForms(env.KEYWARD_TOKEN as string)) expect(printed, `token, ${form}`).not.toContain(text);
  });

  it("reports a server error on stderr with a non-zero exit", async () => {
    const missing = await keyward(["projects", "get", "no-such-project"]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(/^keyward: .*\(NOT_FOUND, request \S+\)\n$/);
    const undeclared = await keyward(["keys", "create", "--project", "billing-api", "--environment", "live", "--name", "other", "--scope", "invoices:delete"]);
    expect(undeclared.exitCode).toBe(1);
    expect(undeclared.stderr).toContain("invoices:delete");
  });

  it("refuses a wrong token without printing it", async () => {
    const wrong = "kwm_" + "A".repeat(49);
    const saved = env;
    env = { ...env, KEYWARD_TOKEN: wrong };
    const run = await keyward(["keys", "list"]).finally(() => {
      env = saved;
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/\(UNAUTHORIZED, request \S+\)/);
    expect(run.stdout + run.stderr).not.toContain(wrong);
  });

  it("repeats a rotation with the same --idempotency-key without rotating twice (acceptance 3)", async () => {
    await keyward(["keys", "create", "--project", "billing-api", "--environment", "test", "--name", "idempotent", "--json"]);
    const first = await json(["keys", "rotate", "billing-api/test/idempotent", "--idempotency-key", "rotate-2026-11-22"]);
    const again = await json(["keys", "rotate", "billing-api/test/idempotent", "--idempotency-key", "rotate-2026-11-22"]);
    expect(again).toEqual(first);
    expect((await json(["keys", "get", "billing-api/test/idempotent"])).version).toBe(2);
  });
});
