import { describe, expect, it } from "vitest";
import { Duration, formatDuration, MAX_DURATION_MESSAGE, parseDuration } from "./duration";

describe("parseDuration", () => {
  it.each([
    ["90s", 90_000],
    ["15m", 900_000],
    ["24h", 86_400_000],
    ["30d", 2_592_000_000],
    ["720h", 2_592_000_000],
    ["1h30m", 5_400_000],
  ])("reads %s", (text, milliseconds) => {
    expect(parseDuration(text)).toBe(milliseconds);
  });

  it.each(["", "30", "d", "1.5h", "-5m", "0s", "30 d", "1w", "1H"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it("formats back to the largest whole unit", () => {
    expect(formatDuration(parseDuration("720h")!)).toBe("30d");
    expect(formatDuration(parseDuration("90m")!)).toBe("90m");
    expect(formatDuration(parseDuration("1h30m")!)).toBe("90m");
  });
});

describe("Duration", () => {
  it.each(["3650d", "87600h", "1s"])("accepts %s (10 years at most)", (text) => {
    expect(Duration.safeParse(text).success).toBe(true);
  });

  it.each(["3651d", "100000000d", "99999999999999999999999999d", "87601h"])("refuses %s as longer than 10 years", (text) => {
    const result = Duration.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(MAX_DURATION_MESSAGE);
  });

  it.each(["0s", "1w", "00d"])("refuses %j as no duration", (text) => {
    expect(Duration.safeParse(text).error?.issues[0]?.message).toMatch(/^must be a duration/);
  });
});
