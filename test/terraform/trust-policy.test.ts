import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keyward, NotFoundError } from "@keyward/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePlanJson } from "../../packages/action/src/review/plan-json";
import { buildReview } from "../../packages/action/src/review/review";
import { renderReviewMarkdown } from "../../packages/action/src/review/review-markdown";
import { evaluateReviewPolicies } from "../../packages/action/src/review/review-policy";
import { startKeyward } from "../../packages/server/src/index";
import { installKeywardProvider, keywardProviderExecutable } from "./keyward-provider-build";
import { KEYWARD_PROVIDER_BLOCKS, TerraformWorkspace } from "./terraform-workspace";

// SPEC §14 acceptance 4: keyward_trust_policy with the real terraform CLI against a real key
// service: apply, plan with no changes, update in place, import by name; the action's review mode
// calls a new or widened trust policy out.

const ISSUER = "https://token.actions.githubusercontent.com";
let service: { url: string; rootToken: string; close(): Promise<void> };
let keyward: Keyward;
let buildDir: string;
let workspace: TerraformWorkspace;

const configuration = (claims: string, ttl = "900s") => `${KEYWARD_PROVIDER_BLOCKS}resource "keyward_project" "billing" { name = "trust-billing" }
resource "keyward_trust_policy" "rotate" {
  name     = "rotate-billing"
  issuer   = "${ISSUER}"
  audience = "https://keyward.example.com"
  claims   = { ${claims} }
  scopes   = ["keys:read", "keys:rotate"]
  project  = keyward_project.billing.name
  ttl      = "${ttl}"
}
`;

const mainOnly = 'repository_id = "123456", ref = "refs/heads/main"';

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), "keyward-provider-build-"));
  let executable: string;
  [service, executable] = await Promise.all([startKeyward(), keywardProviderExecutable(buildDir)]);
  keyward = new Keyward({ url: service.url, token: service.rootToken });
  workspace = await TerraformWorkspace.create({ env: { TF_VAR_keyward_url: service.url, TF_VAR_keyward_token: service.rootToken } });
  await installKeywardProvider({ dir: workspace.mirror, executable });
  await workspace.writeFile("main.tf", configuration(mainOnly));
  await workspace.init();
});

afterAll(async () => {
  await workspace?.dispose();
  await service?.close();
  await rm(buildDir, { recursive: true, force: true });
});

async function review() {
  await workspace.plan(["-out=review.tfplan"]);
  const shown = await workspace.run(["show", "-json", "review.tfplan"]);
  const built = buildReview(parsePlanJson(shown.stdout, "review.tfplan"));
  return { built, markdown: renderReviewMarkdown(built, []), violations: evaluateReviewPolicies(built, ["trust-widening", "scope-widening"]) };
}

describe("keyward_trust_policy", () => {
  it("is reported by review mode as new trust before it is applied", async () => {
    const { built, markdown, violations } = await review();
    expect(built.trustPolicies.map((policy) => policy.kind)).toEqual(["create"]);
    expect(violations.map((violation) => violation.policy)).toEqual(["trust-widening"]);
    expect(markdown).toContain("### Trust policies");
    expect(markdown).toContain("**New trust** on trust policy `rotate-billing (trust-billing, (known after apply))`");
  });

  it("applies, and plans no changes afterwards", async () => {
    const applied = await workspace.apply();
    expect(applied.stdout).toContain("2 added, 0 changed, 0 destroyed");
    expect(await keyward.trustPolicies.get("rotate-billing")).toMatchObject({
      issuer: ISSUER,
      audience: "https://keyward.example.com",
      claims: { repository_id: "123456", ref: "refs/heads/main" },
      scopes: ["keys:read", "keys:rotate"],
      project: "trust-billing",
      environment: null,
      ttl: "15m",
    });
    expect((await workspace.plan()).exitCode).toBe(0);
  });

  it("updates in place when a claim is dropped, and review calls the widening out", async () => {
    await workspace.writeFile("main.tf", configuration('repository_id = "123456"'));
    const { built, violations } = await review();
    expect(built.trustPolicies.map((policy) => policy.kind)).toEqual(["update"]);
    expect(violations.map((violation) => violation.reason)).toEqual([
      "trust policy rotate-billing (trust-billing, every environment) (keyward_trust_policy.rotate): claim ref = refs/heads/main no longer required",
    ]);
    const applied = await workspace.apply();
    expect(applied.stdout).toContain("0 added, 1 changed, 0 destroyed");
    expect((await keyward.trustPolicies.get("rotate-billing")).claims).toEqual({ repository_id: "123456" });
    expect((await workspace.plan()).exitCode).toBe(0);
  });

  it("imports by name and then plans no changes", async () => {
    // Import reads the service's spelling of the TTL; a configuration that spells it the same way
    // (15m rather than 900s) plans no change.
    await workspace.writeFile("main.tf", configuration('repository_id = "123456"', "15m"));
    await workspace.run(["state", "rm", "keyward_trust_policy.rotate"]);
    const imported = await workspace.run(["import", "-no-color", "keyward_trust_policy.rotate", "rotate-billing"]);
    expect(imported.stdout).toContain("Import successful!");
    const plan = await workspace.plan();
    expect(plan.exitCode, plan.stdout).toBe(0);
  });

  it("refuses at plan time claims that name no immutable identity", async () => {
    await workspace.writeFile("main.tf", configuration('repository = "acme/billing"'));
    const plan = await workspace.plan([], [1]);
    expect(plan.stderr).toContain("claims name no immutable identity");
    await workspace.writeFile("main.tf", configuration('repository_id = "123456"'));
  });

  it("is destroyed with the configuration", async () => {
    await workspace.destroy();
    await expect(keyward.trustPolicies.get("rotate-billing")).rejects.toBeInstanceOf(NotFoundError);
  });
});
