import { describe, expect, test } from "vitest";
import { Duration } from "./duration";
import { Rotation } from "./rotation";

describe("Rotation", () => {
  test("every + withGracePeriod gives the provider's rotation attribute", () => {
    const rotation = Rotation.every(Duration.days(30)).withGracePeriod(Duration.hours(12));
    expect(rotation.toTerraform()).toEqual({ every: "30d", gracePeriod: "12h" });
    expect(rotation.problems()).toEqual([]);
  });

  test("the grace period defaults to 24 hours", () => {
    expect(Rotation.every(Duration.days(7)).toTerraform()).toEqual({ every: "7d", gracePeriod: "24h" });
  });

  test("a period shorter than 24 hours is also the default grace period, so the default is always valid", () => {
    const rotation = Rotation.every(Duration.hours(6));
    expect(rotation.toTerraform()).toEqual({ every: "6h", gracePeriod: "6h" });
    expect(rotation.problems()).toEqual([]);
  });

  test("withGracePeriod returns a new schedule and leaves the original alone", () => {
    const monthly = Rotation.every(Duration.days(30));
    monthly.withGracePeriod(Duration.hours(1));
    expect(monthly.gracePeriod.toString()).toBe("24h");
  });

  test("a grace period longer than the period is reported with both values", () => {
    const [problem, ...rest] = Rotation.every(Duration.hours(1)).withGracePeriod(Duration.hours(2)).problems();
    expect(rest).toEqual([]);
    expect(problem).toContain("rotation.grace_period '2h' is longer than rotation.every '1h'");
  });

  test("malformed durations are reported per attribute", () => {
    const problems = Rotation.every(Duration.parse("monthly")).withGracePeriod(Duration.parse("1x")).problems();
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain("rotation.every 'monthly' is not a duration");
    expect(problems[1]).toContain("rotation.grace_period '1x' is not a duration");
  });
});
