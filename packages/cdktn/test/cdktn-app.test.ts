import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

// SPEC §17: @keyward/cdktn is @keyward/cdktf's sources built against CDK Terrain. A cdktn app must
// synthesize with it: a construct built on cdktf crashes inside a cdktn App, so this proves the swap.
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
let outdir: string;

const app = `
import { App, TerraformStack } from "cdktn";
import { Duration, KeywardProject, provider, Rotation } from "@keyward/cdktn";
const app = new App({ outdir: process.env.OUTDIR });
const stack = new TerraformStack(app, "billing-keys");
new provider.KeywardProvider(stack, "keyward", { endpoint: "http://127.0.0.1:8080" });
new KeywardProject(stack, "Billing", {
  name: "billing-api",
  scopes: { "invoices:read": "Read invoices" },
  keys: { Deployer: { environment: "live", name: "ci-deployer", scopes: ["invoices:read"], rotation: Rotation.every(Duration.days(30)) } },
});
app.synth();
`;

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, { cwd: packageDir, env, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), "keyward-cdktn-"));
  const built = spawnSync(process.execPath, [join(repoRoot, "scripts/build.mjs"), "cdktn"], { cwd: repoRoot, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`building @keyward/cdktn failed:\n${built.stderr}${built.stdout}`);
});
afterAll(() => rm(outdir, { recursive: true, force: true }));

describe("@keyward/cdktn", () => {
  test("imports CDK Terrain, never cdktf", async () => {
    const bundle = await readFile(join(packageDir, "dist/index.js"), "utf8");
    expect(bundle).toMatch(/from "cdktn"/);
    expect(bundle).not.toMatch(/from "cdktf"|require\("cdktf"\)/);
  });

  test("a cdktn app synthesizes the project, its scopes and its keys", async () => {
    const { status, output } = run(process.execPath, ["--input-type=module", "-e", app], { ...process.env, OUTDIR: outdir });
    expect(status, output).toBe(0);
    const stack = JSON.parse(await readFile(join(outdir, "stacks/billing-keys/cdk.tf.json"), "utf8"));
    expect(stack["//"].metadata.version).toMatch(/^0\.24\./);
    expect(Object.keys(stack.resource)).toEqual(expect.arrayContaining(["keyward_project", "keyward_scope", "keyward_api_key"]));
    const [key] = Object.values(stack.resource.keyward_api_key) as Array<{ rotation: { every: string } }>;
    expect(key?.rotation.every).toBe("30d");
  });
});
