import { describe, expect, it } from "vitest";
import { readSettings } from "./settings";

const env = { GITHUB_REPOSITORY: "acme/api", GITHUB_EVENT_NAME: "schedule", GITHUB_API_URL: "http://127.0.0.1:1/" };
const base: Record<string, string> = { "keyward-url": "https://keyward.example.com", "keyward-token": "kwm_x", "github-token": "ghp_x" };
const settings = (inputs: Record<string, string>) => readSettings((name) => ({ ...base, ...inputs })[name] ?? "", env);

describe("the keys input (SPEC §13)", () => {
  it("takes references and project/environment/* patterns, and makes targets optional", () => {
    expect(settings({ keys: "[billing-api/live/*, billing-api/test/ci-deployer, key_01234567890123456789]" }).keys).toEqual([
      { kind: "pattern", project: "billing-api", environment: "live" },
      { kind: "name", project: "billing-api", environment: "test", name: "ci-deployer" },
      { kind: "id", id: "key_01234567890123456789" },
    ]);
    expect(settings({ keys: "- billing-api/live/*" }).targets).toEqual([]);
  });

  it.each([
    ["[billing-api/prod/*]", "keys[0]: environment 'prod' in 'billing-api/prod/*' must be 'test' or 'live'"],
    ["[Billing/live/*]", "keys[0]: project 'Billing'"],
    ["[billing-api]", "keys[0]: 'billing-api' is not a key id"],
    ["{a: 1}", "expected a YAML list such as"],
  ])("refuses %s naming the item and the expected form", (keys, message) => {
    expect(() => settings({ keys })).toThrow(message);
  });

  it("needs keys or targets in rotate mode", () => {
    expect(() => settings({})).toThrow("Invalid input 'targets': is empty and so is 'keys'");
  });
});
