import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keyward } from "@keyward/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKeyward } from "../../packages/server/src/index";
import { REVIEW_MARKER } from "../../packages/action/src/review/sticky-comment";
import { runAction } from "../action-runner/action-runner";
import { GitHubEmulator } from "../github-emulator/github-emulator";
import type { SecretLocation } from "../github-emulator/secret-location";
import { installKeywardProvider, keywardProviderExecutable } from "./keyward-provider-build";
import { findSecrets } from "./secret-forms";
import { TerraformWorkspace } from "./terraform-workspace";

/**
 * SPEC §13 acceptance 1: a key with a repository, an environment and an organization destination,
 * applied by the real terraform CLI against a real key service and the GitHub API emulator. The
 * secret reaches each GitHub secret and nowhere else: not the state, the saved plan, `terraform
 * show -json`, nor a TF_LOG=trace log.
 */
let service: { url: string; rootToken: string; close(): Promise<void> };
let github: GitHubEmulator;
let keyward: Keyward;
let executable: string;
let buildDir: string;
const workspaces: TerraformWorkspace[] = [];
const GITHUB_TOKEN = "ghs_keyward_provider_writer";

const repository: SecretLocation = { kind: "repository", repository: "acme/billing" };
const environment: SecretLocation = { kind: "environment", repository: "acme/billing", environment: "production" };
const organization: SecretLocation = { kind: "organization", org: "acme" };

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), "keyward-destinations-build-"));
  [service, github, executable] = await Promise.all([startKeyward(), GitHubEmulator.start(), keywardProviderExecutable(buildDir)]);
  keyward = new Keyward({ url: service.url, token: service.rootToken });
  github.addRepository("acme/billing", { environments: ["production"] });
  github.addRepository("acme/web");
  github.addOrganization("acme");
  github.addPullRequest("acme/billing", 42);
  github.addToken(GITHUB_TOKEN, {
    repositories: { "acme/billing": ["metadata", "secrets", "environments", "pull_requests"], "acme/web": ["metadata"] },
    organizations: { acme: ["organization_secrets"] },
  });
});

afterAll(async () => {
  await Promise.all(workspaces.map((workspace) => workspace.dispose()));
  await Promise.all([service?.close(), github?.stop()]);
  await rm(buildDir, { recursive: true, force: true });
});

async function workspaceFor(project: string, keyBody: string): Promise<TerraformWorkspace> {
  const workspace = await TerraformWorkspace.create({
    env: { TF_VAR_keyward_url: service.url, TF_VAR_keyward_token: service.rootToken, GITHUB_TOKEN, GITHUB_API_URL: github.url },
  });
  workspaces.push(workspace);
  await installKeywardProvider({ dir: workspace.mirror, executable });
  await workspace.writeFile("main.tf", configuration(project, keyBody));
  await workspace.init();
  return workspace;
}

function configuration(project: string, keyBody: string): string {
  return `terraform {
  required_providers {
    keyward = { source = "keyward/keyward" }
  }
}
variable "keyward_url" { type = string }
variable "keyward_token" {
  type      = string
  sensitive = true
}
# github_token and github_api_url come from GITHUB_TOKEN and GITHUB_API_URL.
provider "keyward" {
  endpoint = var.keyward_url
  token    = var.keyward_token
}
resource "keyward_project" "billing" { name = "${project}" }
resource "keyward_scope" "read" {
  project = keyward_project.billing.name
  name    = "invoices:read"
}
resource "keyward_api_key" "ci" {
  project     = keyward_project.billing.name
  environment = "live"
  name        = "ci-deployer"
  scopes      = [keyward_scope.read.name]
${keyBody}
}
`;
}

const threeDestinations = `
  rotation_triggers = { reason = "first" }
  destination {
    github_secret = { repository = "acme/billing", name = "BILLING_API_KEY" }
  }
  destination {
    github_secret = { repository = "acme/billing", environment = "production", name = "BILLING_API_KEY" }
  }
  destination {
    github_org_secret = { org = "acme", name = "BILLING_API_KEY", visibility = "selected", selected_repositories = ["acme/web"] }
  }
`;

const delivered = () => [github.secretValue(repository, "BILLING_API_KEY"), github.secretValue(environment, "BILLING_API_KEY"), github.secretValue(organization, "BILLING_API_KEY")];

/** Every file and output a secret must never reach, by name. */
async function everythingTerraformKept(workspace: TerraformWorkspace, planFile?: string): Promise<Record<string, string>> {
  const texts: Record<string, string> = {
    "terraform.tfstate": await workspace.readFile("terraform.tfstate"),
    "terraform show -json (state)": (await workspace.run(["show", "-json", "-no-color"])).stdout,
    "terraform output and log transcript": workspace.transcript.join("\n"),
  };
  const backup = await workspace.readFile("terraform.tfstate.backup").catch(() => "");
  if (backup) texts["terraform.tfstate.backup"] = backup;
  if (planFile) {
    texts["saved plan (raw)"] = (await readFile(join(workspace.dir, planFile))).toString("latin1");
    const unzipped = spawnSync("unzip", ["-p", join(workspace.dir, planFile)], { encoding: "latin1" });
    if (unzipped.status !== 0) throw new Error("unzip is needed to read the saved plan's contents (Debian: apt-get install unzip)");
    texts["saved plan (contents)"] = unzipped.stdout;
    texts["terraform show -json (plan)"] = (await workspace.run(["show", "-json", "-no-color", planFile])).stdout;
  }
  return texts;
}

function leaksIn(secrets: Record<string, string>, texts: Record<string, string>): string[] {
  return Object.entries(texts).flatMap(([source, text]) => findSecrets(secrets, text).map((found) => `${found} in ${source}`));
}

describe("a key with a repository, an environment and an organization destination", () => {
  let workspace: TerraformWorkspace;
  const secrets: Record<string, string> = {};
  let keyId: string;

  beforeAll(async () => {
    workspace = await workspaceFor("billing-api", threeDestinations);
  });

  it("delivers one secret to every destination; it verifies VALID and is in no state, plan or trace log", async () => {
    await workspace.run(["plan", "-no-color", "-input=false", "-out=create.tfplan"], { env: { TF_LOG: "trace" } });
    const applied = await workspace.run(["apply", "-no-color", "-input=false", "create.tfplan"], { env: { TF_LOG: "trace" } });
    expect(applied.stdout).toContain("3 added, 0 changed, 0 destroyed");
    const [inRepository, inEnvironment, inOrganization] = delivered();
    expect(inRepository).toMatch(/^kw_live_[0-9A-Za-z]{49}$/);
    expect(inEnvironment).toBe(inRepository);
    expect(inOrganization).toBe(inRepository);
    expect(github.secret(organization, "BILLING_API_KEY")).toMatchObject({ visibility: "selected", selectedRepositoryIds: [expect.any(Number)] });
    secrets.first = inRepository!;
    expect((await keyward.verify({ key: secrets.first })).code).toBe("VALID");

    const state = await workspace.stateAttributes("keyward_api_key.ci");
    keyId = state?.id as string;
    expect(state).toMatchObject({ secret: null, secret_wo: null, version: 1 });
    expect((await keyward.keys.get(keyId)).destinations).toHaveLength(3);
    expect(leaksIn(secrets, await everythingTerraformKept(workspace, "create.tfplan"))).toEqual([]);
  });

  it("plans no changes right after apply", async () => {
    expect((await workspace.plan()).exitCode).toBe(0);
  });

  it("rotates and redelivers when rotation_triggers change", async () => {
    await workspace.writeFile("main.tf", configuration("billing-api", threeDestinations.replace('reason = "first"', 'reason = "second"')));
    await workspace.run(["plan", "-no-color", "-input=false", "-out=rotate.tfplan"], { env: { TF_LOG: "trace" } });
    await workspace.run(["apply", "-no-color", "-input=false", "rotate.tfplan"], { env: { TF_LOG: "trace" } });
    const values = delivered();
    secrets.second = values[0]!;
    expect(secrets.second).not.toBe(secrets.first);
    expect(values).toEqual([secrets.second, secrets.second, secrets.second]);
    expect((await keyward.verify({ key: secrets.second })).code).toBe("VALID");
    expect(await workspace.stateAttributes("keyward_api_key.ci")).toMatchObject({ secret: null, version: 2 });
    expect(leaksIn(secrets, await everythingTerraformKept(workspace, "rotate.tfplan"))).toEqual([]);
  });

  it("rolls the rotation back when a write fails, and fails naming the destination", async () => {
    github.failNext("put-secret", { status: 422, pathIncludes: "/environments/", message: "Validation Failed" });
    await workspace.writeFile("main.tf", configuration("billing-api", threeDestinations.replace('reason = "first"', 'reason = "third"')));
    const failed = await workspace.run(["apply", "-no-color", "-input=false", "-auto-approve"], { expectExit: [1] });
    expect(failed.stderr).toContain("acme/billing (environment production)");
    expect(failed.stderr).toContain("BILLING_API_KEY");
    expect(failed.stderr).toContain("rolled back");
    const key = await keyward.keys.get(keyId);
    expect(key.version).toBe(2);
    expect((await keyward.verify({ key: secrets.second! })).code).toBe("VALID");
    // The new secret reached the repository before the environment refused it; it was revoked by the rollback.
    const written = github.secretValue(repository, "BILLING_API_KEY")!;
    if (written !== secrets.second) expect((await keyward.verify({ key: written })).code).not.toBe("VALID");
    expect(github.secretValue(environment, "BILLING_API_KEY")).toBe(secrets.second);
    expect(leaksIn({ ...secrets, written }, { transcript: workspace.transcript.join("\n"), state: await workspace.readFile("terraform.tfstate") })).toEqual([]);
  });

  it("revokes the key on destroy", async () => {
    await workspace.destroy();
    expect((await keyward.verify({ key: secrets.second! })).code).not.toBe("VALID");
  });
});

describe("a key whose first delivery fails", () => {
  it("is deleted again, and apply fails naming the destination", async () => {
    const workspace = await workspaceFor("payments-api", threeDestinations);
    github.failNext("put-secret", { status: 403, pathIncludes: "/orgs/acme/", message: "Resource not accessible by integration" });
    const failed = await workspace.run(["apply", "-no-color", "-input=false", "-auto-approve"], { expectExit: [1] });
    expect(failed.stderr).toContain("org acme");
    expect(failed.stderr).toContain("403");
    expect(failed.stderr).toContain("key was deleted");
    expect(await keyward.keys.list({ project: "payments-api" }).toArray()).toEqual([]);
    expect(await workspace.stateAttributes("keyward_api_key.ci")).toBeUndefined();
  });
});

describe("adding a destination to an existing key", () => {
  let workspace: TerraformWorkspace;

  it("is an in-place change whose warning says it takes effect at the next rotation", async () => {
    workspace = await workspaceFor("ledger-api", `  rotation_triggers = { reason = "first" }`);
    await workspace.apply();
    expect((await workspace.stateAttributes("keyward_api_key.ci"))?.secret).toMatch(/^kw_live_/);
    await workspace.writeFile("main.tf", configuration("ledger-api", threeDestinations));
    const plan = await workspace.plan(["-out=add.tfplan"]);
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain("1 to change, 0 to destroy");
    expect(plan.stdout).toContain("New destination takes effect at the next rotation");
    await workspace.writeFile("add.plan.json", (await workspace.run(["show", "-json", "-no-color", "add.tfplan"])).stdout);
  });

  // SPEC §13 acceptance 4: the bundled action reviews the real plan.
  it("gets a review comment calling out the exposure widening; fail-on: destination-added fails the step", async () => {
    const review = (failOn: string) =>
      runAction({
        githubApiUrl: github.url,
        repository: "acme/billing",
        eventName: "pull_request",
        event: { number: 42, pull_request: { number: 42 } },
        inputs: { mode: "review", "plan-json": join(workspace.dir, "add.plan.json"), "github-token": GITHUB_TOKEN, "fail-on": failOn },
      });
    const reported = await review("scope-widening");
    expect(reported.exitCode, reported.stdout).toBe(0);
    const comment = github.comments("acme/billing", 42).find((entry) => entry.body.startsWith(REVIEW_MARKER))?.body ?? "";
    expect(comment).toContain("**Exposure widened**");
    for (const place of ["acme/billing secret BILLING_API_KEY", "acme/billing (environment production) secret BILLING_API_KEY", "org acme secret BILLING_API_KEY"]) expect(comment).toContain(place);
    expect(comment).toContain("**Secret leaves the Terraform state**");
    const failed = await review("destination-added");
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toContain("destination-added");
  });

  it("applies the change: the secret leaves the state", async () => {
    await workspace.apply();
    // The secret leaves the state; the destinations get one at the next rotation.
    expect(await workspace.stateAttributes("keyward_api_key.ci")).toMatchObject({ secret: null, version: 1 });
  });
});
