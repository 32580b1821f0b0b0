import { describe, expect, test } from "vitest";
import { TerraformStack, TerraformVariable, Testing } from "./cdktf";
import { Duration } from "./duration";

describe("Duration", () => {
  test("the factories write the units the key service reads", () => {
    expect(Duration.seconds(90).toString()).toBe("90s");
    expect(Duration.minutes(15).toString()).toBe("15m");
    expect(Duration.hours(24).toString()).toBe("24h");
    expect(Duration.days(30).toString()).toBe("30d");
    expect(Duration.days(30).toMilliseconds()).toBe(30 * 86_400_000);
  });

  test("parse keeps Go-style text as written and measures it with the contract's parser", () => {
    const duration = Duration.parse("720h");
    expect(duration.toString()).toBe("720h");
    expect(duration.toMilliseconds()).toBe(Duration.days(30).toMilliseconds());
    expect(Duration.parse("1h30m").toMilliseconds()).toBe(90 * 60_000);
    expect(duration.problem("rotation.every")).toBeUndefined();
  });

  test("a malformed duration is reported with the attribute, the value and the expected form", () => {
    const problem = Duration.parse("30 days").problem("rotation.every");
    expect(problem).toContain("rotation.every '30 days' is not a duration");
    expect(problem).toContain("30d");
  });

  test("fractional, zero and negative amounts are malformed, not rounded", () => {
    expect(Duration.days(1.5).problem("window")).toContain("'1.5d'");
    expect(Duration.minutes(0).problem("window")).toContain("'0m'");
    expect(Duration.hours(-1).problem("window")).toContain("'-1h'");
  });

  test("a Terraform reference is left for the provider to check at plan time", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    const variable = new TerraformVariable(stack, "period", { type: "string" });
    const duration = Duration.parse(variable.stringValue);
    expect(duration.isUnresolved).toBe(true);
    expect(duration.problem("rotation.every")).toBeUndefined();
    expect(Duration.parse("30d").isUnresolved).toBe(false);
  });
});
