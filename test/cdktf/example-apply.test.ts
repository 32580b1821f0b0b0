import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ApiKey, Keyward, NotFoundError } from "@keyward/client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startKeyward, type StartedKeyward } from "../../packages/server/src/index";
import { installKeywardProvider, keywardProviderExecutable } from "../terraform/keyward-provider-build";
import { TerraformWorkspace } from "../terraform/terraform-workspace";
import { CdktfExample } from "./cdktf-example";

// Issue 4, acceptance 1: synthesize examples/cdktf, `terraform init` offline with the provider built
// from source and installed into a filesystem mirror, apply against a running key service, a plan
// with no changes, then a rotation schedule changed in the TypeScript is an in-place update.
const scratch = await mkdtemp(join(tmpdir(), "keyward-cdktf-apply-"));

let service: StartedKeyward;
let client: Keyward;
let workspace: TerraformWorkspace;
let example: CdktfExample;

beforeAll(async () => {
  const [started, executable, copy] = await Promise.all([startKeyward(), keywardProviderExecutable(scratch), CdktfExample.copy()]);
  [service, example] = [started, copy];
  client = new Keyward({ url: service.url, token: service.rootToken });
  // The token reaches the provider through the environment only, never the synthesized JSON.
  workspace = await TerraformWorkspace.create({ env: { KEYWARD_TOKEN: service.rootToken } });
  await installKeywardProvider({ dir: workspace.mirror, executable });
});

afterAll(async () => {
  await example?.remove();
  await workspace?.dispose();
  await service?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** `tsx main.ts` in the example copy, then its cdk.tf.json where terraform runs. */
async function synthesize(): Promise<void> {
  const result = await example.synth(join(scratch, "cdktf.out"), { KEYWARD_URL: service.url });
  expect(result.exitCode, result.output).toBe(0);
  await copyFile(join(result.stackDir, "cdk.tf.json"), join(workspace.dir, "cdk.tf.json"));
}

async function liveKey(): Promise<ApiKey> {
  const { data } = await client.keys.page({ project: "billing-cdktf", environment: "live", name: "ci-deployer" });
  expect(data).toHaveLength(1);
  return data[0]!;
}

describe("examples/cdktf against a running key service", () => {
  test("apply, no drift, then a rotation schedule changed in TypeScript updates the live key in place", async () => {
    await synthesize();
    await workspace.init();
    await workspace.apply();
    const clean = await workspace.plan();
    expect(clean.exitCode, `a plan right after apply has no changes:\n${clean.stdout}`).toBe(0);

    const before = await liveKey();
    expect(before.rotation).toEqual({ every: "30d", grace_period: "24h" });
    expect(before.scopes.toSorted()).toEqual(["invoices:read", "invoices:write"]);
    const { data: testKeys } = await client.keys.page({ project: "billing-cdktf", environment: "test" });
    expect(testKeys.map((key) => [key.name, key.rotation])).toEqual([["dashboard", null]]);
    // The stack's local backend keeps the state beside the example (as `cdktf deploy` would), so ask terraform.
    const outputs = JSON.parse((await workspace.run(["output", "-json"])).stdout) as Record<string, { value: unknown; sensitive: boolean }>;
    expect(outputs.deployer_key_id?.value).toBe(before.id);
    expect(outputs.deployer_secret?.sensitive).toBe(true);

    await example.edit("billing-keys-stack.ts", "Duration.days(30)", "Duration.days(45)");
    await synthesize();
    const plan = await workspace.plan();
    expect(plan.exitCode, plan.stdout).toBe(2);
    expect(plan.stdout).toMatch(/# keyward_api_key\.Billing_Deployer_[0-9A-F]{8} will be updated in-place/);
    expect(plan.stdout).toMatch(/every\s+= "30d" -> "45d"/);
    expect(plan.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");

    await workspace.apply();
    const after = await liveKey();
    expect(after.id).toBe(before.id);
    expect(after.version).toBe(before.version);
    expect(after.rotation).toEqual({ every: "45d", grace_period: "24h" });
    const settled = await workspace.plan();
    expect(settled.exitCode, `a plan right after the update has no changes:\n${settled.stdout}`).toBe(0);

    await workspace.destroy();
    await expect(client.keys.get(after.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.projects.get("billing-cdktf")).rejects.toBeInstanceOf(NotFoundError);
    // Eight terraform commands, each launching the provider three or four times: on 2 busy cores this
    // takes well over the default 60 s, so the scenario gets its own budget.
  }, 300_000);
});
