import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration";

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
