import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Token, type Tokens, lexer } from "marked";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sensitiveValues } from "../../packages/action/src/review/plan-fixture";
import { REVIEW_MARKER } from "../../packages/action/src/review/sticky-comment";
import { startKeyward } from "../../packages/server/src/index";
import { type ActionRun, runAction } from "../action-runner/action-runner";
import { GitHubEmulator } from "../github-emulator/github-emulator";
import { describeLeaks, scanForLeaks } from "../leak-scanner/leak-scanner";
import { installKeywardProvider, keywardProviderExecutable } from "../terraform/keyward-provider-build";
import { KEYWARD_PROVIDER_BLOCKS, TerraformWorkspace } from "../terraform/terraform-workspace";

// Issue 6 acceptance 1: real plan JSON, from `terraform plan` with the Keyward provider against a
// running key service, for a change that widens a live key's scopes and removes its expiry,
// replaces a test key (its environment changes) and adds a rotation trigger to another key. The
// bundled action reviews it on a pull request of the GitHub emulator; every fact is checked in
// the rendered comment.

const REPOSITORY = "acme/api";
const PULL_REQUEST = 12;
const githubToken = "ghs_ReviewAcceptanceToken0123456789abcd";

const providerBlock = `${KEYWARD_PROVIDER_BLOCKS}resource "keyward_project" "billing" { name = "billing-api" }
resource "keyward_scope" "read" {
  project = keyward_project.billing.name
  name    = "invoices:read"
}
resource "keyward_scope" "write" {
  project = keyward_project.billing.name
  name    = "invoices:write"
}
`;

/** Before the pull request: what is applied. */
const applied = `${providerBlock}
resource "keyward_api_key" "ci" {
  project     = keyward_project.billing.name
  environment = "live"
  name        = "ci-deployer"
  scopes      = [keyward_scope.read.name]
  expires_at  = "2027-06-30T00:00:00Z"
  rotation    = { every = "30d", grace_period = "24h" }
}
resource "keyward_api_key" "sandbox" {
  project     = keyward_project.billing.name
  environment = "test"
  name        = "sandbox"
  scopes      = [keyward_scope.read.name]
  rotation    = { every = "7d", grace_period = "1h" }
}
resource "keyward_api_key" "worker" {
  project     = keyward_project.billing.name
  environment = "live"
  name        = "worker"
  scopes      = [keyward_scope.read.name]
  rotation    = { every = "30d", grace_period = "24h" }
}
`;

/** The pull request's change. */
const proposed = `${providerBlock}
resource "keyward_api_key" "ci" {
  project     = keyward_project.billing.name
  environment = "live"
  name        = "ci-deployer"
  scopes      = [keyward_scope.read.name, keyward_scope.write.name]
  rotation    = { every = "30d", grace_period = "24h" }
}
resource "keyward_api_key" "sandbox" {
  project     = keyward_project.billing.name
  environment = "live"
  name        = "sandbox"
  scopes      = [keyward_scope.read.name]
  rotation    = { every = "7d", grace_period = "1h" }
}
resource "keyward_api_key" "worker" {
  project           = keyward_project.billing.name
  environment       = "live"
  name              = "worker"
  scopes            = [keyward_scope.read.name]
  rotation          = { every = "30d", grace_period = "24h" }
  rotation_triggers = { reason = "2026-11 incident" }
}
`;

let buildDir: string;
let service: Awaited<ReturnType<typeof startKeyward>>;
let github: GitHubEmulator;
let workspace: TerraformWorkspace;
let planJson: string;
let run: ActionRun;

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), "keyward-review-provider-"));
  const [started, executable, emulator] = await Promise.all([startKeyward(), keywardProviderExecutable(buildDir), GitHubEmulator.start()]);
  service = started;
  github = emulator;
  github.addRepository(REPOSITORY);
  github.addPullRequest(REPOSITORY, PULL_REQUEST);
  github.addToken(githubToken, { repositories: { [REPOSITORY]: ["metadata", "pull_requests"] } });
  workspace = await TerraformWorkspace.create({ env: { TF_VAR_keyward_url: service.url, TF_VAR_keyward_token: service.rootToken } });
  await installKeywardProvider({ dir: workspace.mirror, executable });

  await workspace.writeFile("main.tf", applied);
  await workspace.init();
  await workspace.run(["apply", "-auto-approve", "-input=false", "-no-color"]);
  await workspace.writeFile("main.tf", proposed);
  await workspace.run(["plan", "-input=false", "-no-color", "-out=tfplan"]);
  planJson = (await workspace.run(["show", "-json", "tfplan"])).stdout;
  await workspace.writeFile("plan.json", planJson);

  run = await runAction({
    githubApiUrl: github.url,
    repository: REPOSITORY,
    eventName: "pull_request",
    event: { number: PULL_REQUEST, pull_request: { number: PULL_REQUEST } },
    inputs: { mode: "review", "plan-json": join(workspace.dir, "plan.json"), "github-token": githubToken, "fail-on": "scope-widening,expiry-removed" },
  });
}, 240_000);

afterAll(async () => {
  await workspace?.dispose();
  await github?.stop();
  await service?.close();
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
});

function comment(): string {
  const comments = github.comments(REPOSITORY, PULL_REQUEST);
  expect(comments).toHaveLength(1);
  expect(comments[0]!.body.startsWith(REVIEW_MARKER)).toBe(true);
  return comments[0]!.body;
}

function section(markdown: string, heading: string): Token[] {
  const tokens = lexer(markdown);
  const start = tokens.findIndex((token) => token.type === "heading" && (token as Tokens.Heading).text === heading);
  expect(start, `section '${heading}'`).toBeGreaterThanOrEqual(0);
  const end = tokens.findIndex((token, index) => index > start && token.type === "heading");
  return tokens.slice(start + 1, end < 0 ? undefined : end).filter((token) => token.type !== "space");
}

function keyRows(markdown: string): Map<string, string[]> {
  const table = section(markdown, "API keys").find((token) => token.type === "table") as Tokens.Table;
  return new Map(table.rows.map((row) => [row[0]!.text.split("<br>")[0]!, row.slice(1).map((cell) => cell.text)]));
}

describe("review of a real Terraform plan made with the Keyward provider", () => {
  it("fails the step on the chosen policies and names each violation", () => {
    expect(run.exitCode, run.stdout).toBe(1);
    expect(run.stdout).toContain("::error::2 review policies violated (fail-on): scope-widening: key billing-api/live/ci-deployer (keyward_api_key.ci) gains scope invoices:write; expiry-removed: key billing-api/live/ci-deployer");
  });

  it("calls out the widened live key first, and its removed expiry", () => {
    const calledOut = (section(comment(), "Called out")[0] as Tokens.List).items.map((item) => item.text);
    expect(calledOut[0]).toBe("**Scopes widened** on **live** key `billing-api/live/ci-deployer`: + `invoices:write`");
    expect(calledOut).toContain("**Expiry removed** on **live** key `billing-api/live/ci-deployer` (was `2027-06-30T00:00:00Z`)");
  });

  it("shows each key's change in the table: widened scopes, the replaced test key, the rotation", () => {
    const rows = keyRows(comment());
    expect([...rows.keys()].sort()).toEqual(["`billing-api/live/ci-deployer`", "`billing-api/live/sandbox`", "`billing-api/live/worker`"]);
    expect(rows.get("`billing-api/live/ci-deployer`")).toEqual([
      "**`live`**",
      "update",
      "**+ `invoices:write`**<br>`invoices:read`",
      "every 30d, grace 24h",
      "**2027-06-30T00:00:00Z → none** (weaker)",
    ]);
    expect(rows.get("`billing-api/live/sandbox`")?.slice(0, 2)).toEqual(["`test` → **`live`**", "replace (`environment` changed)"]);
    expect(rows.get("`billing-api/live/worker`")?.[1]).toBe("update, **rotates**");
  });

  it("names the rotation the apply performs and counts the secrets it re-issues", () => {
    const rotations = (section(comment(), "Rotations on apply")[0] as Tokens.List).items.map((item) => item.text);
    expect(rotations).toHaveLength(1);
    expect(rotations[0]).toMatch(/^`billing-api\/live\/worker` \(`keyward_api_key.worker`\): `rotation_triggers` changed/);
    const secrets = (section(comment(), "Secrets")[0] as Tokens.Paragraph).text;
    expect(secrets).toContain("This apply re-issues **2 key secrets**: 0 for created keys, 1 for replaced keys, 1 for rotations.");
  });

  it("writes the same review to the job summary", () => {
    expect(`${REVIEW_MARKER}\n${run.files.GITHUB_STEP_SUMMARY}`.trimEnd()).toBe(comment().trimEnd());
  });

  it("shows none of the key secrets the plan holds as sensitive values, nor the tokens", () => {
    const planSecrets = sensitiveValues(planJson).filter((value) => value.startsWith("kw_"));
    expect(planSecrets.length, "the plan carries the issued secrets (sensitive) in its prior state").toBeGreaterThanOrEqual(3);
    const secrets = [
      ...planSecrets.map((value, index) => ({ label: `key secret ${index} in the plan`, value })),
      { label: "management token", value: service.rootToken },
      { label: "github-token", value: githubToken },
    ];
    expect(describeLeaks(scanForLeaks(secrets, run, { relyOnMasking: false }))).toBe("");
    for (const { value } of secrets) expect(comment()).not.toContain(value);
  });
});
