import { describe, expect, test } from "vitest";
import { KeywardProvider } from "../gen/provider";
import { type App, TerraformOutput, TerraformStack, Testing } from "./cdktf";
import { Duration } from "./duration";
import { KeywardApiKey } from "./keyward-api-key";
import { KeywardProject } from "./keyward-project";
import { Rotation } from "./rotation";

const monthly = Rotation.every(Duration.days(30));

function billingProject() {
  const app = Testing.app();
  const stack = new TerraformStack(app, "Keys");
  new KeywardProvider(stack, "keyward", {});
  const project = new KeywardProject(stack, "Billing", { name: "billing-api", scopes: { "invoices:read": "Read invoices" } });
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

describe("KeywardApiKey", () => {
  test("synthesis fails for a key naming an undeclared scope, with the key's path and the scope", () => {
    const { app, project } = billingProject();
    project.addKey("Deployer", { environment: "test", name: "ci-deployer", scopes: ["invoices:read", "invoices:delete"] });
    const message = synthesisError(app);
    expect(message).toContain(
      "[Keys/Billing/Deployer] key 'ci-deployer' names scope 'invoices:delete', which project 'billing-api' does not declare (it declares 'invoices:read')",
    );
    expect(message).toContain('project.addScope("invoices:delete"');
    expect(message).not.toContain("'invoices:read', which");
  });

  test("synthesis fails for a malformed rotation duration, with the key's path and the value", () => {
    const { app, project } = billingProject();
    project.addKey("Deployer", { environment: "live", name: "ci-deployer", rotation: Rotation.every(Duration.parse("30x")) });
    expect(synthesisError(app)).toContain("[Keys/Billing/Deployer] rotation.every '30x' is not a duration: expected a duration such as 90s");
  });

  test("synthesis fails for a malformed grace period or rate-limit window, naming each", () => {
    const { app, project } = billingProject();
    project.addKey("Deployer", {
      environment: "live",
      name: "ci-deployer",
      rotation: monthly.withGracePeriod(Duration.parse("a day")),
      rateLimit: { requests: 10, window: Duration.parse("1 minute") },
    });
    const message = synthesisError(app);
    expect(message).toContain("[Keys/Billing/Deployer] rotation.grace_period 'a day' is not a duration");
    expect(message).toContain("[Keys/Billing/Deployer] rate_limit.window '1 minute' is not a duration");
  });

  test("synthesis fails for a grace period longer than the rotation period", () => {
    const { app, project } = billingProject();
    project.addKey("Deployer", { environment: "live", name: "ci-deployer", rotation: Rotation.every(Duration.days(1)).withGracePeriod(Duration.hours(48)) });
    expect(synthesisError(app)).toContain("[Keys/Billing/Deployer] rotation.grace_period '48h' is longer than rotation.every '1d'");
  });

  test("synthesis fails for a live key without rotation, naming the key and both ways out", () => {
    const { app, project } = billingProject();
    project.addKey("Deployer", { environment: "live", name: "ci-deployer", scopes: ["invoices:read"] });
    const message = synthesisError(app);
    expect(message).toContain("[Keys/Billing/Deployer] live key 'ci-deployer' has no rotation schedule");
    expect(message).toContain("allowUnrotated: true");
  });

  test("every problem of every key is reported at once", () => {
    const { app, project } = billingProject();
    project.addKey("First", { environment: "live", name: "first", scopes: ["nope"] });
    project.addKey("Second", { environment: "live", name: "second", rotation: Rotation.every(Duration.parse("soon")) });
    const message = synthesisError(app);
    expect(message).toContain("[Keys/Billing/First] key 'first' names scope 'nope'");
    expect(message).toContain("[Keys/Billing/First] live key 'first' has no rotation schedule");
    expect(message).toContain("[Keys/Billing/Second] rotation.every 'soon' is not a duration");
  });

  test("an unrotated live key synthesizes when opted out explicitly, and a test key needs no rotation", () => {
    const { app, stack, project } = billingProject();
    project.addKey("Break", { environment: "live", name: "break-glass", allowUnrotated: true });
    project.addKey("Dashboard", { environment: "test", name: "dashboard", scopes: ["invoices:read"] });
    expect(() => app.synth()).not.toThrow();
    const json = JSON.parse(Testing.synth(stack)) as { resource: { keyward_api_key: Record<string, { rotation?: unknown }> } };
    expect(Object.values(json.resource.keyward_api_key).map((key) => key.rotation)).toEqual([undefined, undefined]);
  });

  test("a valid key synthesizes at app.synth()", () => {
    const { app, project } = billingProject();
    project.addKey("Deployer", { environment: "live", name: "ci-deployer", scopes: ["invoices:read"], rotation: monthly });
    expect(() => app.synth()).not.toThrow();
  });

  test("an unknown environment fails in the constructor, naming the construct path and the value", () => {
    const { project } = billingProject();
    expect(() => project.addKey("Deployer", { environment: "prod" as "live", name: "ci-deployer" })).toThrow(
      "Keys/Billing/Deployer: environment 'prod' is invalid: it must be 'test' or 'live'",
    );
  });

  test("an invalid key name fails in the constructor, naming the construct path and the value", () => {
    const { project } = billingProject();
    expect(() => project.addKey("Deployer", { environment: "test", name: "ci/deployer" })).toThrow(
      /^Keys\/Billing\/Deployer: key name 'ci\/deployer' is invalid/,
    );
  });

  test("a key can be declared outside its project's scope and is still checked against its catalog", () => {
    const { app, stack, project } = billingProject();
    new KeywardApiKey(stack, "Elsewhere", { project, environment: "test", name: "elsewhere", scopes: ["invoices:write"] });
    expect(synthesisError(app)).toContain("[Keys/Elsewhere] key 'elsewhere' names scope 'invoices:write'");
  });

  test("the key surfaces its id, secret, version and hint as references for outputs and other resources", () => {
    const { stack, project } = billingProject();
    const key = project.addKey("Deployer", { environment: "test", name: "ci-deployer" });
    new TerraformOutput(stack, "key_id", { value: key.keyId });
    new TerraformOutput(stack, "secret", { value: key.secret, sensitive: true });
    new TerraformOutput(stack, "version", { value: key.version });
    new TerraformOutput(stack, "hint", { value: key.hint });
    const json = JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: string; sensitive?: boolean }> };
    const address = /^\$\{keyward_api_key\.(Billing_Deployer_[0-9A-F]{8})\.id\}$/.exec(json.output.key_id?.value ?? "")?.[1];
    expect(address).toBeDefined();
    expect(json.output.secret).toEqual({ value: `\${keyward_api_key.${address}.secret}`, sensitive: true });
    expect(json.output.version?.value).toBe(`\${keyward_api_key.${address}.version}`);
    expect(json.output.hint?.value).toBe(`\${keyward_api_key.${address}.hint}`);
  });
});
