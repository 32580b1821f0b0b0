import { describe, expect, it } from "vitest";
import { gracePeriodViolation, policyViolations } from "./policy-violations";
import { EnvironmentPolicy } from "./project-policy";

const now = new Date("2026-06-01T00:00:00Z");
const strict = EnvironmentPolicy.parse({ require_rotation: true, max_rotation_every: "90d", max_grace_period: "2d", max_lifetime: "365d", require_destinations: true });
const compliant = {
  expires_at: "2027-01-01T00:00:00Z",
  rotation: { every: "90d", grace_period: "1d" },
  destinations: [{ type: "github_secret" }],
};

describe("policyViolations", () => {
  it("passes a key that keeps every rule", () => {
    expect(policyViolations(strict, compliant, now)).toEqual([]);
  });

  it("names the rule and the field of each broken rule", () => {
    const violations = policyViolations(strict, { expires_at: null, rotation: { every: "180d", grace_period: "3d" }, destinations: [] }, now);
    expect(violations.map((violation) => [violation.rule, violation.field])).toEqual([
      ["max_lifetime", "expires_at"],
      ["max_rotation_every", "rotation.every"],
      ["max_grace_period", "rotation.grace_period"],
      ["require_destinations", "destinations"],
    ]);
    expect(violations[1]!.message).toBe("must be at most 90d (policy max_rotation_every)");
  });

  it("refuses a key without rotation under either rotation rule", () => {
    expect(policyViolations(EnvironmentPolicy.parse({ require_rotation: true }), { ...compliant, rotation: null }, now)).toEqual([
      { rule: "require_rotation", field: "rotation", message: "must be set (policy require_rotation)" },
    ]);
    expect(policyViolations(EnvironmentPolicy.parse({ max_rotation_every: "90d" }), { ...compliant, rotation: null }, now)[0]).toMatchObject({ rule: "max_rotation_every", field: "rotation" });
  });

  it("counts the lifetime from the key's creation, or from now for a key not created yet", () => {
    const policy = EnvironmentPolicy.parse({ max_lifetime: "30d" });
    const key = { ...compliant, expires_at: "2026-06-20T00:00:00Z" };
    expect(policyViolations(policy, key, now)).toEqual([]);
    expect(policyViolations(policy, { ...key, created_at: "2026-05-01T00:00:00Z" }, now)).toHaveLength(1);
  });

  it("judges nothing on an unknown value", () => {
    expect(policyViolations(strict, { expires_at: undefined, rotation: undefined, destinations: undefined }, now)).toEqual([]);
    expect(policyViolations(strict, { ...compliant, rotation: { every: undefined, grace_period: "3d" } }, now).map((violation) => violation.field)).toEqual(["rotation.grace_period"]);
  });

  it("checks a rotation's own grace period", () => {
    expect(gracePeriodViolation(strict, "1d")).toBeUndefined();
    expect(gracePeriodViolation(strict, "72h")).toMatchObject({ rule: "max_grace_period", field: "grace_period" });
    expect(gracePeriodViolation(EnvironmentPolicy.parse({}), "3650d")).toBeUndefined();
  });
});
