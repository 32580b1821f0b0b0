import { describe, expect, it } from "vitest";
import { PlanJsonError, parsePlanJson } from "./plan-json";
import { planFixtureText, sensitiveValues } from "./plan-fixture";

describe("parsePlanJson", () => {
  it("reads the JSON of a real terraform plan", () => {
    const plan = parsePlanJson(planFixtureText("terraform-data-only"), "inline");
    expect(plan.terraform_version).toBe("1.11.4");
    expect(plan.resource_changes.map((resource) => [resource.address, resource.change.actions])).toEqual([
      ["terraform_data.a", ["delete", "create"]],
      ["terraform_data.b", ["create"]],
    ]);
  });

  it("reads a plan with no resource changes", () => {
    expect(parsePlanJson(planFixtureText("no-changes"), "inline").resource_changes).toEqual([]);
  });

  it("names the input and never echoes the text of malformed JSON", () => {
    const text = '{"format_version": "1.2", "variables": {"token": {"value": "kw_live_leakleakleak"}}, oops';
    const error = catching(() => parsePlanJson(text, "plan.json"));
    expect(error).toBeInstanceOf(PlanJsonError);
    expect(error.message).toBe("Input 'plan-json' (plan.json) is not valid JSON. Expected the output of `terraform show -json <planfile>`.");
    expect(error.message).not.toContain("kw_live");
  });

  it.each([
    ["a state, not a plan", '{"format_version":"1.0","terraform_version":"1.11.4","values":{"root_module":{}}}', "planned_values"],
    ["an array", "[1, 2]", "(top level)"],
    ["a future format", '{"format_version":"2.0","planned_values":{}}', "format_version must be a 1.x plan format version"],
    ["an unknown action", '{"format_version":"1.2","planned_values":{},"resource_changes":[{"address":"a.b","mode":"managed","type":"a","name":"b","change":{"actions":["explode"]}}]}', "resource_changes.0.change.actions.0"],
  ])("refuses %s with the reason", (_, text, reason) => {
    const error = catching(() => parsePlanJson(text, "inline"));
    expect(error).toBeInstanceOf(PlanJsonError);
    expect(error.message).toMatch(/^Input 'plan-json' \(inline\) is not a Terraform plan: /);
    expect(error.message).toContain(reason);
  });

  it("refuses empty text", () => {
    expect(() => parsePlanJson("  \n", "inline")).toThrow("Input 'plan-json' (inline) is empty.");
  });

  it("finds the fixture's sensitive values, so the tests that look for them are meaningful", () => {
    expect(sensitiveValues(planFixtureText("terraform-data-only"))).toEqual(["hunter2"]);
    expect(sensitiveValues(planFixtureText("mixed-changes")).filter((value) => value.startsWith("kw_"))).toHaveLength(5);
  });
});

function catching(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}
