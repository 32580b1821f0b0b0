import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_SCHEDULE, nextAttemptAt } from "./retry-schedule";

const created = new Date("2026-06-01T00:00:00Z");

describe("nextAttemptAt", () => {
  it("doubles the delay per attempt, with up to half of it random, capped at the maximum", () => {
    const delay = (attempts: number, random: number) => (nextAttemptAt(DEFAULT_RETRY_SCHEDULE, attempts, created, created, random) as Date).getTime() - created.getTime();
    expect([1, 2, 3, 4].map((attempts) => delay(attempts, 0))).toEqual([15_000, 30_000, 60_000, 120_000]);
    expect([1, 2, 3, 4].map((attempts) => delay(attempts, 0.5))).toEqual([22_500, 45_000, 90_000, 180_000]);
    expect(delay(20, 0)).toBe(1_800_000);
    expect(delay(20, 0.999_999)).toBeLessThanOrEqual(3_600_000);
  });

  it("gives up once the next attempt would fall beyond 24 hours after the event", () => {
    const late = new Date(created.getTime() + 23.9 * 3_600_000);
    expect(nextAttemptAt(DEFAULT_RETRY_SCHEDULE, 30, created, late, 0.5)).toBeUndefined();
    expect(nextAttemptAt(DEFAULT_RETRY_SCHEDULE, 30, created, new Date(created.getTime() + 20 * 3_600_000), 0.5)).toBeInstanceOf(Date);
  });
});
