import { describe, expect, test } from "vitest";
import { KeywardProvider } from "../gen/provider";
import { type App, TerraformStack, Testing } from "./cdktf";
import { Duration } from "./duration";
import { KeywardProject } from "./keyward-project";
import { Rotation } from "./rotation";

function governedProject() {
  const app = Testing.app();
  const stack = new TerraformStack(app, "Keys");
  new KeywardProvider(stack, "keyward", {});
  const project = new KeywardProject(stack, "Billing", {
    name: "billing-api",
    policy: { live: { requireRotation: true, maxRotationEvery: Duration.days(90), maxGracePeriod: Duration.days(2) } },
  });
  return { app, stack, project };
}

function synthesisError(app: App): string {
  try {
    app.synth();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("app.synth() succeeded; expected a validation failure");
}

describe("KeywardProject({ policy })", () => {
  test("declares the policy resource, and the keys depend on it", () => {
    const { stack, project } = governedProject();
    project.addKey("Deployer", { environment: "live", name: "ci-deployer", rotation: Rotation.every(Duration.days(30)).withGracePeriod(Duration.days(1)) });
    const json = JSON.parse(Testing.synth(stack, true)) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    const [[policyAddress, policy]] = Object.entries(json.resource.keyward_project_policy ?? {}) as [[string, Record<string, unknown>]];
    expect(policy.live).toEqual({ require_rotation: true, max_rotation_every: "90d", max_grace_period: "2d" });
    const [key] = Object.values(json.resource.keyward_api_key ?? {});
    expect(key?.depends_on).toEqual([`\${keyward_project_policy.${policyAddress}}`]);
  });

  test("a rotation whose grace starts at first use synthesizes as grace_starts", () => {
    const { stack, project } = governedProject();
    project.addKey("Deployer", { environment: "live", name: "ci-deployer", rotation: Rotation.every(Duration.days(30)).withGracePeriod(Duration.hours(1)).withGraceStartingOnFirstUse() });
    const json = JSON.parse(Testing.synth(stack, true)) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    expect(Object.values(json.resource.keyward_api_key ?? {})[0]?.rotation).toEqual({ every: "30d", grace_period: "1h", grace_starts: "on_first_use" });
  });

  test("synthesis fails for a live key without rotation, naming the construct path and the rule", () => {
    const { app, project } = governedProject();
    project.addKey("Deployer", { environment: "live", name: "ci-deployer", allowUnrotated: true });
    expect(synthesisError(app)).toContain(
      "[Keys/Billing/Deployer] key 'ci-deployer' breaks the live policy of project 'billing-api': rotation must be set, with every at most 90d (policy max_rotation_every)",
    );
  });

  test("synthesis fails for a rotation slower or a grace longer than the policy allows, and lets test keys through", () => {
    const { app, project } = governedProject();
    project.addKey("Deployer", { environment: "live", name: "ci-deployer", rotation: Rotation.every(Duration.days(180)).withGracePeriod(Duration.days(3)) });
    project.addKey("Dashboard", { environment: "test", name: "dashboard" });
    const message = synthesisError(app);
    expect(message).toContain("[Keys/Billing/Deployer] key 'ci-deployer' breaks the live policy of project 'billing-api': rotation.every must be at most 90d (policy max_rotation_every)");
    expect(message).toContain("rotation.grace_period must be at most 2d (policy max_grace_period)");
    expect(message).not.toContain("Dashboard");
  });
});
