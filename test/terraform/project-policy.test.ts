import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keyward } from "@keyward/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKeyward } from "../../packages/server/src/index";
import { installKeywardProvider, keywardProviderExecutable } from "./keyward-provider-build";
import { KEYWARD_PROVIDER_BLOCKS, TerraformWorkspace } from "./terraform-workspace";

/**
 * `keyward_project_policy` and plan-time policy reporting (SPEC §18) with the real terraform CLI
 * against a real key service: the policy is set, shows no drift, imports by project; a key that
 * breaks it fails `terraform plan` naming the attribute and the rule, before anything is created.
 */
let service: { url: string; rootToken: string; close(): Promise<void> };
let keyward: Keyward;
let workspace: TerraformWorkspace;
let buildDir: string;

const header = `${KEYWARD_PROVIDER_BLOCKS}resource "keyward_project" "billing" { name = "governed" }
resource "keyward_project_policy" "billing" {
  project = keyward_project.billing.name
  live = {
    require_rotation   = true
    max_rotation_every = "90d"
  }
}
`;

const withKey = (rotation: string) => `${header}
resource "keyward_api_key" "ci" {
  project     = keyward_project.billing.name
  environment = "live"
  name        = "ci-deployer"
  scopes      = []
  ${rotation}
  depends_on  = [keyward_project_policy.billing]
}
`;

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), "keyward-policy-provider-"));
  let executable: string;
  [service, executable] = await Promise.all([startKeyward({}), keywardProviderExecutable(buildDir)]);
  keyward = new Keyward({ url: service.url, token: service.rootToken });
  workspace = await TerraformWorkspace.create({ env: { TF_VAR_keyward_url: service.url, TF_VAR_keyward_token: service.rootToken } });
  await installKeywardProvider({ dir: workspace.mirror, executable });
  await workspace.writeFile("main.tf", header);
  await workspace.init();
});
afterAll(async () => {
  await workspace?.dispose();
  await service?.close();
  await rm(buildDir, { recursive: true, force: true });
});

describe("keyward_project_policy with the terraform CLI", () => {
  it("sets the project's policy and then plans no change", async () => {
    await workspace.apply();
    expect(await keyward.projects.getPolicy("governed")).toEqual({
      project: "governed",
      live: { require_rotation: true, max_rotation_every: "90d", exposure: "revoke" },
      test: { exposure: "revoke" },
    });
    expect((await workspace.plan()).exitCode).toBe(0);
  });

  it("fails the plan of a live key without rotation, naming the attribute and the rule", async () => {
    await workspace.writeFile("main.tf", withKey(""));
    const plan = await workspace.plan([], [1]);
    expect(plan.stderr).toContain('Key "ci-deployer" breaks the live policy of project "governed"');
    expect(plan.stderr).toContain("Error: Invalid rotation");
    expect(plan.stderr).toContain("rule max_rotation_every");
    expect(plan.stderr).toMatch(/with keyward_api_key\.ci,/);
    expect(plan.stderr).toMatch(/on main\.tf line \d+, in resource "keyward_api_key" "ci"/);
    expect(await keyward.keys.list({ project: "governed" }).toArray()).toEqual([]);
  });

  it("names the nested attribute a slow rotation breaks, and plans a key that keeps the policy", async () => {
    await workspace.writeFile("main.tf", withKey('rotation = { every = "180d", grace_period = "1d" }'));
    const slow = await workspace.plan([], [1]);
    expect(slow.stderr).toContain("rotation.every must be at most 90d (policy max_rotation_every)");
    expect(slow.stderr).toContain("Error: Invalid rotation.every");
    await workspace.writeFile("main.tf", withKey('rotation = { every = "30d", grace_period = "1d" }'));
    await workspace.apply();
    expect(await keyward.keys.list({ project: "governed" }).toArray()).toHaveLength(1);
  });

  it("sets a grace that starts at first use on the key, and then plans no change", async () => {
    await workspace.writeFile("main.tf", withKey('rotation = { every = "30d", grace_period = "1d", grace_starts = "on_first_use" }'));
    await workspace.apply();
    const [key] = await keyward.keys.list({ project: "governed" }).toArray();
    expect(key?.rotation).toEqual({ every: "30d", grace_period: "1d", grace_starts: "on_first_use" });
    expect((await workspace.plan()).exitCode).toBe(0);
    await workspace.writeFile("main.tf", withKey('rotation = { every = "30d", grace_period = "1d", grace_starts = "later" }'));
    expect((await workspace.plan([], [1])).stderr).toContain('"later" is not when a grace period starts');
    await workspace.writeFile("main.tf", withKey('rotation = { every = "30d", grace_period = "1d", grace_starts = "on_first_use" }'));
  });

  it("imports the policy by project name with no change planned, and destroys cleanly", async () => {
    await workspace.run(["state", "rm", "-no-color", "keyward_project_policy.billing"]);
    await workspace.run(["import", "-no-color", "-input=false", "keyward_project_policy.billing", "governed"]);
    expect((await workspace.plan()).exitCode).toBe(0);
    await workspace.destroy();
  });
});
