import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { Keyward } from "@keyward/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKeyward } from "../../packages/server/src/index";
import { installKeywardProvider, keywardProviderExecutable } from "./keyward-provider-build";
import { findSecrets } from "./secret-forms";
import { KEYWARD_PROVIDER_BLOCKS, TerraformWorkspace } from "./terraform-workspace";

/**
 * SPEC §13 acceptance 2: `ephemeral "keyward_secret"` feeds `keyward_api_key.secret_wo` and, in
 * the same run, a `terraform_data` provisioner that stores it (standing in for any other store's
 * write-only argument). The stored value verifies; no state or plan holds it.
 */
let service: { url: string; rootToken: string; close(): Promise<void> };
let keyward: Keyward;
let executable: string;
let buildDir: string;
let workspace: TerraformWorkspace;

const configuration = (version: number) => `${KEYWARD_PROVIDER_BLOCKS}resource "keyward_project" "billing" { name = "billing-api" }
ephemeral "keyward_secret" "ci" {
  environment = "live"
}
resource "keyward_api_key" "ci" {
  project           = keyward_project.billing.name
  environment       = "live"
  name              = "ci-deployer"
  scopes            = []
  secret_wo         = ephemeral.keyward_secret.ci.secret
  secret_wo_version = ${version}
}
# Any other store's write-only argument takes the same value; a provisioner stands in for one here
# (the public registry is out of reach), getting it through the environment, never an argument.
resource "terraform_data" "store" {
  triggers_replace = [keyward_api_key.ci.secret_wo_version]
  provisioner "local-exec" {
    command     = "printf '%s' \\"$KEYWARD_SECRET\\" > delivered.txt"
    environment = { KEYWARD_SECRET = ephemeral.keyward_secret.ci.secret }
  }
}
`;

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), "keyward-ephemeral-build-"));
  [service, executable] = await Promise.all([startKeyward(), keywardProviderExecutable(buildDir)]);
  keyward = new Keyward({ url: service.url, token: service.rootToken });
  workspace = await TerraformWorkspace.create({ env: { TF_VAR_keyward_url: service.url, TF_VAR_keyward_token: service.rootToken } });
  await installKeywardProvider({ dir: workspace.mirror, executable });
  await workspace.writeFile("main.tf", configuration(1));
  await workspace.init();
});

afterAll(async () => {
  await workspace?.dispose();
  await service?.close();
  await rm(buildDir, { recursive: true, force: true });
});

async function keptByTerraform(planFile: string): Promise<Record<string, string>> {
  const unzipped = spawnSync("unzip", ["-p", join(workspace.dir, planFile)], { encoding: "latin1" });
  if (unzipped.status !== 0) throw new Error("unzip is needed to read the saved plan's contents (Debian: apt-get install unzip)");
  return {
    "terraform.tfstate": await workspace.readFile("terraform.tfstate"),
    "terraform show -json (state)": (await workspace.run(["show", "-json", "-no-color"])).stdout,
    "saved plan (contents)": unzipped.stdout,
    "terraform show -json (plan)": (await workspace.run(["show", "-json", "-no-color", planFile])).stdout,
    "terraform output and log transcript": workspace.transcript.join("\n"),
  };
}

function leaksIn(secrets: Record<string, string>, texts: Record<string, string>): string[] {
  return Object.entries(texts).flatMap(([source, text]) => findSecrets(secrets, text).map((found) => `${found} in ${source}`));
}

describe('ephemeral "keyward_secret" into secret_wo and a provisioner', () => {
  const secrets: Record<string, string> = {};

  it("issues the key with the ephemeral secret, which the provisioner stored too; no state or plan holds it", async () => {
    await workspace.run(["plan", "-no-color", "-input=false", "-out=create.tfplan"], { env: { TF_LOG: "trace" } });
    await workspace.run(["apply", "-no-color", "-input=false", "create.tfplan"], { env: { TF_LOG: "trace" } });
    secrets.first = await readFile(join(workspace.dir, "delivered.txt"), "utf8");
    expect(secrets.first).toMatch(/^kw_live_[0-9A-Za-z]{49}$/);
    expect((await keyward.verify({ key: secrets.first })).code).toBe("VALID");
    const state = await workspace.stateAttributes("keyward_api_key.ci");
    expect(state).toMatchObject({ secret: null, secret_wo: null, secret_wo_version: 1, version: 1, hint: `kw_live_…${secrets.first.slice(-4)}` });
    const created = (await keyward.audit.list({ action: "key.create" }).toArray()).at(-1);
    expect(created?.details).toMatchObject({ secret_source: "client" });
    expect(leaksIn(secrets, await keptByTerraform("create.tfplan"))).toEqual([]);
  });

  it("plans no changes on a second plan, though the ephemeral secret is generated anew", async () => {
    expect((await workspace.plan()).exitCode).toBe(0);
  });

  it("rotates to a fresh ephemeral secret when secret_wo_version is bumped", async () => {
    await workspace.writeFile("main.tf", configuration(2));
    await workspace.run(["plan", "-no-color", "-input=false", "-out=rotate.tfplan"], { env: { TF_LOG: "trace" } });
    await workspace.run(["apply", "-no-color", "-input=false", "rotate.tfplan"], { env: { TF_LOG: "trace" } });
    secrets.second = await readFile(join(workspace.dir, "delivered.txt"), "utf8");
    expect(secrets.second).not.toBe(secrets.first);
    expect((await keyward.verify({ key: secrets.second })).code).toBe("VALID");
    expect(await workspace.stateAttributes("keyward_api_key.ci")).toMatchObject({ secret: null, secret_wo: null, secret_wo_version: 2, version: 2 });
    expect(leaksIn(secrets, await keptByTerraform("rotate.tfplan"))).toEqual([]);
    expect((await workspace.plan()).exitCode).toBe(0);
  });
});
