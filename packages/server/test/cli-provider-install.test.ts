import { execFile } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/keyward.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "keyward-plugins-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("keyward provider install", () => {
  it("puts the built provider in Terraform's unpacked mirror layout, executable", async () => {
    const installed = await run(process.execPath, [bin, "provider", "install", "--dir", dir]);
    expect(installed.code, installed.stderr).toBe(0);
    const path = installed.stdout.trim();
    expect(path).toMatch(
      new RegExp(`^${dir}/registry\\.terraform\\.io/keyward/keyward/\\d+\\.\\d+\\.\\d+/linux_(amd64|arm64)/terraform-provider-keyward_v\\d+\\.\\d+\\.\\d+$`),
    );
    expect(() => accessSync(path, constants.X_OK)).not.toThrow();

    // Started by hand instead of by Terraform, the real provider refuses and says what it is.
    const { TF_PLUGIN_MAGIC_COOKIE: _cookie, ...withoutCookie } = process.env;
    const direct = await run(path, [], withoutCookie);
    expect(direct.code).toBe(1);
    expect(direct.stderr).toMatch(/plugin/i);
  });
});
