import { describe, expect, test } from "vitest";
import { KeywardProvider } from "../gen/provider";
import { TerraformStack, Testing } from "./cdktf";
import { Duration } from "./duration";
import { KeywardProject } from "./keyward-project";
import { Rotation } from "./rotation";

function newStack() {
  const app = Testing.app();
  const stack = new TerraformStack(app, "Keys");
  new KeywardProvider(stack, "keyward", { endpoint: "http://127.0.0.1:8787" });
  return { app, stack };
}

type Synthesized = { resource: Record<string, Record<string, Record<string, unknown>>> } & Record<string, unknown>;

function synthesized(stack: TerraformStack): Synthesized {
  return JSON.parse(Testing.synth(stack, true)) as Synthesized;
}

function onlyResource(json: Synthesized, type: string, namePart: string): Record<string, unknown> {
  const matches = Object.entries(json.resource[type] ?? {}).filter(([address]) => address.includes(namePart));
  expect(matches, `one ${type} whose address contains ${namePart}`).toHaveLength(1);
  return matches[0]![1];
}

describe("KeywardProject", () => {
  test("declares the project, its scope catalog and its keys, each key referencing the resources it needs", () => {
    const { stack } = newStack();
    const billing = new KeywardProject(stack, "Billing", {
      name: "billing-api",
      description: "Invoices and payments",
      scopes: { "invoices:read": "Read invoices", "invoices:write": "Create invoices" },
      keys: { Dashboard: { environment: "test", name: "dashboard", scopes: ["invoices:read"] } },
    });
    billing.addKey("Deployer", {
      environment: "live",
      name: "ci-deployer",
      scopes: ["invoices:read", "invoices:write"],
      rotation: Rotation.every(Duration.days(30)).withGracePeriod(Duration.hours(24)),
      expiresAt: new Date("2027-06-30T00:00:00Z"),
      ipAllowlist: ["10.0.0.0/8"],
      rateLimit: { requests: 100, window: Duration.minutes(1) },
      metadata: { team: "payments" },
      rotationTriggers: { reason: "2026-11 incident" },
    });

    const json = synthesized(stack);
    expect(json.terraform).toEqual({ required_providers: { keyward: { source: "registry.terraform.io/keyward/keyward", version: "0.1.0" } } });
    const [projectAddress] = Object.keys(json.resource.keyward_project ?? {});
    expect(onlyResource(json, "keyward_project", "Billing")).toEqual({ name: "billing-api", description: "Invoices and payments" });
    const projectName = `\${keyward_project.${projectAddress}.name}`;
    const read = onlyResource(json, "keyward_scope", "invoicesread");
    expect(read).toEqual({ project: projectName, name: "invoices:read", description: "Read invoices" });
    const readAddress = Object.keys(json.resource.keyward_scope ?? {}).find((address) => address.includes("invoicesread"));
    const writeAddress = Object.keys(json.resource.keyward_scope ?? {}).find((address) => address.includes("invoiceswrite"));

    expect(onlyResource(json, "keyward_api_key", "Dashboard")).toEqual({
      project: projectName,
      environment: "test",
      name: "dashboard",
      scopes: [`\${keyward_scope.${readAddress}.name}`],
    });
    expect(onlyResource(json, "keyward_api_key", "Deployer")).toEqual({
      project: projectName,
      environment: "live",
      name: "ci-deployer",
      scopes: [`\${keyward_scope.${readAddress}.name}`, `\${keyward_scope.${writeAddress}.name}`],
      rotation: { every: "30d", grace_period: "24h" },
      expires_at: "2027-06-30T00:00:00.000Z",
      ip_allowlist: ["10.0.0.0/8"],
      rate_limit: { requests: 100, window: "1m" },
      metadata: { team: "payments" },
      rotation_triggers: { reason: "2026-11 incident" },
    });
  });

  test("a scope declared after the key that holds it is still referenced, so Terraform creates it first", () => {
    const { stack } = newStack();
    const billing = new KeywardProject(stack, "Billing", { name: "billing-api" });
    billing.addKey("Reader", { environment: "test", name: "reader", scopes: ["invoices:read"] });
    billing.addScope("invoices:read");

    const key = onlyResource(synthesized(stack), "keyward_api_key", "Reader");
    expect(key.scopes).toEqual([expect.stringMatching(/^\$\{keyward_scope\.Billing_Scope-invoicesread_[0-9A-F]{8}\.name\}$/)]);
    expect(billing.scopeNames).toEqual(["invoices:read"]);
  });

  test("construct ids are the Terraform addresses' stable part", () => {
    const { stack } = newStack();
    new KeywardProject(stack, "Billing", {
      name: "billing-api",
      scopes: { "invoices:read": "Read invoices" },
      keys: { Deployer: { environment: "test", name: "ci" } },
    });
    const json = synthesized(stack);
    expect(Object.keys(json.resource.keyward_project ?? {})).toEqual([expect.stringMatching(/^Billing_[0-9A-F]{8}$/)]);
    expect(Object.keys(json.resource.keyward_api_key ?? {})).toEqual([expect.stringMatching(/^Billing_Deployer_[0-9A-F]{8}$/)]);
  });

  test("an invalid project name fails in the constructor, naming the construct path and the value", () => {
    const { stack } = newStack();
    expect(() => new KeywardProject(stack, "Billing", { name: "Billing API" })).toThrow(
      /^Keys\/Billing: project name 'Billing API' is invalid: .*e\.g\. 'billing-api'/,
    );
  });

  test("an invalid scope name fails where it is declared, naming the construct path and the value", () => {
    const { stack } = newStack();
    expect(() => new KeywardProject(stack, "Billing", { name: "billing-api", scopes: { "Invoices Read": "Read" } })).toThrow(
      /^Keys\/Billing: scope name 'Invoices Read' is invalid/,
    );
  });

  test("a scope declared twice fails, naming it", () => {
    const { stack } = newStack();
    const billing = new KeywardProject(stack, "Billing", { name: "billing-api", scopes: { "invoices:read": "Read" } });
    expect(() => billing.addScope("invoices:read")).toThrow("Keys/Billing: scope 'invoices:read' is declared twice");
  });
});
