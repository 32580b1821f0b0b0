import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanEnv, runCli, serveCli } from "./built-cli";

/** SPEC §12 through the built `keyward` command: checkpoint, public key, and an exported log checked offline. */
const root = mkdtempSync(join(tmpdir(), "keyward-cli-audit-"));
const env = cleanEnv();

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const keyward = (args: string[], extraEnv: Record<string, string> = {}) => runCli(args, { ...env, ...extraEnv });

describe("keyward audit", () => {
  it("checkpoints through the service, prints the public key, and checks an exported log offline", async () => {
    const dataDir = join(root, "data");
    const server = await serveCli(dataDir, env);
    const token = server.stdout[0] as string;
    const client = { KEYWARD_URL: server.url, KEYWARD_TOKEN: token };
    let log: string;
    try {
      for (const name of ["one", "two", "three"]) {
        await fetch(`${server.url}/v1/projects`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ name: `audit-${name}` }) });
      }
      const checkpoint = await keyward(["audit", "checkpoint", "--json"], client);
      expect(checkpoint.code, checkpoint.stderr).toBe(0);
      expect(JSON.parse(checkpoint.stdout)).toMatchObject({ kind: "checkpoint", seq: 4 });
      const online = await keyward(["audit", "verify", "--json"], client);
      expect([online.code, JSON.parse(online.stdout)]).toEqual([0, expect.objectContaining({ ok: true, checked: 4, checkpoint: expect.objectContaining({ seq: 4 }) })]);
      log = await (await fetch(`${server.url}/v1/audit/export`, { headers: { authorization: `Bearer ${token}` } })).text();
    } finally {
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    }

    const publicKey = await keyward(["audit", "public-key", "--data-dir", dataDir]);
    expect(publicKey.code, publicKey.stderr).toBe(0);
    const key = publicKey.stdout.trim();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(publicKey.stdout).not.toContain(readFileSync(join(dataDir, "pepper"), "utf8").trim());

    // The auditor's side: no server, no pepper; the log, the checkpoint file and the public key.
    const checkpoints = join(dataDir, "audit-checkpoints.jsonl");
    const offline = (logText: string, publicKeyText = key, file = checkpoints) => {
      const path = join(root, `log-${Math.random().toString(36).slice(2)}.jsonl`);
      writeFileSync(path, logText);
      return keyward(["audit", "verify", "--checkpoints", file, "--log", path, "--public-key", publicKeyText, "--json"]);
    };
    const intact = await offline(log);
    expect([intact.code, JSON.parse(intact.stdout)]).toEqual([0, expect.objectContaining({ ok: true, checked: 4, truncated_after: null })]);

    const lines = log.trim().split("\n");
    const cut = await offline(`${lines.slice(0, -1).join("\n")}\n`);
    expect([cut.code, JSON.parse(cut.stdout)]).toEqual([1, expect.objectContaining({ ok: false, truncated_after: 3 })]);
    const withoutSecond = await offline(`${[lines[0], ...lines.slice(2)].join("\n")}\n`);
    expect([withoutSecond.code, JSON.parse(withoutSecond.stdout).first_bad]).toEqual([1, JSON.parse(lines[2] as string).id]);
    const oldestGone = await offline(`${lines.slice(2).join("\n")}\n`);
    expect([oldestGone.code, JSON.parse(oldestGone.stdout).first_bad]).toEqual([1, JSON.parse(lines[2] as string).id]);

    // Content edited, hashes kept as they were: the signed digest of the checkpoint's segment catches it.
    const edited = lines.map((line, index) => (index === 2 ? JSON.stringify({ ...JSON.parse(line), details: { name: "innocent" } }) : line));
    const content = await offline(`${edited.join("\n")}\n`);
    expect([content.code, JSON.parse(content.stdout).first_bad]).toEqual([1, JSON.parse(lines[0] as string).id]);

    const forgedFile = join(root, "forged.jsonl");
    const genuine = JSON.parse(readFileSync(checkpoints, "utf8").trim().split("\n").at(-1) as string);
    writeFileSync(forgedFile, `${readFileSync(checkpoints, "utf8")}${JSON.stringify({ ...genuine, seq: 99 })}\n`);
    const forged = await offline(log, key, forgedFile);
    expect([forged.code, forged.stderr.includes("not a checkpoint signed by this public key")]).toEqual([1, true]);
    const otherKey = await offline(log, "A".repeat(43));
    expect(otherKey.code).toBe(1);
    const badKey = await offline(log, "not-a-key");
    expect([badKey.code, badKey.stderr.includes("Invalid --public-key")]).toEqual([1, true]);
    const noKey = await keyward(["audit", "verify", "--checkpoints", checkpoints, "--log", checkpoints]);
    expect([noKey.code, noKey.stderr.includes("Missing --public-key")]).toEqual([1, true]);
  }, 180_000);
});
