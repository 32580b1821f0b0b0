import { describe, expect, it } from "vitest";
import { check, checkEach, checkMetadata, checkRateLimit, checkRotation, rules } from "./configuration-rules";
import { UNKNOWN } from "@keyward/terraform-plugin";

const summaries = (diagnostics: { summary: string }[]) => diagnostics.map((diagnostic) => diagnostic.summary);

describe("configuration rules", () => {
  it("accepts the forms of SPEC §2 and names the attribute of a bad value", () => {
    expect(check({ environment: "live" }, ["environment"], rules.environment)).toEqual([]);
    expect(check({ environment: "prod" }, ["environment"], rules.environment)).toEqual([
      { severity: "error", summary: "Invalid environment", detail: '"prod" is not an environment. Expected "test" or "live".', attribute: ["environment"] },
    ]);
    expect(check({ name: "Billing" }, ["name"], rules.projectName)[0]?.detail).toContain('"Billing" is not a project name');
    expect(check({ at: "2027-06-30T00:00:00Z" }, ["at"], rules.timestamp)).toEqual([]);
    expect(summaries(check({ at: "next june" }, ["at"], rules.timestamp))).toEqual(["Invalid at"]);
  });

  it("skips unknown and null values: they are checked once known", () => {
    expect(check({ environment: UNKNOWN }, ["environment"], rules.environment)).toEqual([]);
    expect(check({ environment: null }, ["environment"], rules.environment)).toEqual([]);
    expect(checkEach({ scopes: UNKNOWN }, ["scopes"], rules.scopeName)).toEqual([]);
    expect(checkRotation({ rotation: { every: UNKNOWN, grace_period: "2h" } }, ["rotation"])).toEqual([]);
  });

  it("points at the element of a list that is wrong", () => {
    const diagnostics = checkEach({ ip_allowlist: ["10.0.0.0/8", "10.0.0.0/33", "2001:db8::/32", "nope"] }, ["ip_allowlist"], rules.cidr);
    expect(diagnostics.map((diagnostic) => diagnostic.attribute)).toEqual([
      ["ip_allowlist", 1],
      ["ip_allowlist", 3],
    ]);
    expect(summaries(diagnostics)).toEqual(["Invalid ip_allowlist[1]", "Invalid ip_allowlist[3]"]);
  });

  it("checks rotation durations with the contract's parser, and a grace period no longer than the period", () => {
    expect(checkRotation({ rotation: { every: "30d", grace_period: "720h" } }, ["rotation"])).toEqual([]);
    expect(summaries(checkRotation({ rotation: { every: "30 days", grace_period: "1h" } }, ["rotation"]))).toEqual(["Invalid rotation.every"]);
    const longer = checkRotation({ rotation: { every: "1h", grace_period: "61m" } }, ["rotation"]);
    expect(longer[0]?.attribute).toEqual(["rotation", "grace_period"]);
    expect(longer[0]?.detail).toContain('grace_period "61m" is longer than the rotation period every = "1h"');
  });

  it("checks rate limits and metadata limits", () => {
    expect(summaries(checkRateLimit({ rate_limit: { requests: 0, window: "1m" } }, ["rate_limit"]))).toEqual(["Invalid rate_limit.requests"]);
    expect(summaries(checkRateLimit({ rate_limit: { requests: 10, window: "1 minute" } }, ["rate_limit"]))).toEqual(["Invalid rate_limit.window"]);
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, index) => [`k${index}`, "v"]));
    expect(summaries(checkMetadata({ metadata: many }, ["metadata"]))).toEqual(["Invalid metadata"]);
    expect(checkMetadata({ metadata: { team: "x".repeat(513) } }, ["metadata"])[0]?.summary).toBe('Invalid metadata["team"]');
  });
});
