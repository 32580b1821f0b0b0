import { describe, expect, it } from "vitest";
import { createLogger, hclogTimestamp, logLevelFrom } from "./logger";

describe("hclog logger", () => {
  it("writes one JSON line with a six-digit fractional @timestamp", () => {
    const lines: string[] = [];
    const log = createLogger({ module: "provider", level: "debug", write: (line) => lines.push(line), clock: () => new Date("2026-11-22T07:00:01.234Z") });
    log.debug("call finished", { call: "ReadResource" });
    log.trace("not written");
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith("\n")).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({
      "@level": "debug",
      "@message": "call finished",
      "@module": "provider",
      "@timestamp": "2026-11-22T07:00:01.234000Z",
      call: "ReadResource",
    });
  });

  it("formats timestamps as Go's 2006-01-02T15:04:05.000000Z07:00", () => {
    expect(hclogTimestamp(new Date("2026-01-02T03:04:05.006Z"))).toMatch(/^2026-01-02T03:04:05\.006000Z$/);
  });

  it("follows TF_LOG_PROVIDER, then TF_LOG, and is quiet by default", () => {
    expect(logLevelFrom({ TF_LOG: "TRACE" })).toBe("trace");
    expect(logLevelFrom({ TF_LOG: "trace", TF_LOG_PROVIDER: "error" })).toBe("error");
    expect(logLevelFrom({})).toBe("warn");
  });
});
