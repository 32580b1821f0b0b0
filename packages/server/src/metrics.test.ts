import { describe, expect, it } from "vitest";
import { Metrics } from "./metrics";

const sources = { cacheSize: () => 0, keyCounts: async () => [], now: () => 0, version: "0.0.0" };
// Series in any order (Prometheus reads them so); a tallied series is created when first read.
const latencyLines = async (metrics: Metrics) =>
  (await metrics.text())
    .split("\n")
    .filter((line) => line.startsWith("keyward_http_request_duration_seconds"))
    .sort();

describe("latency tallies", () => {
  // Bounds themselves, values between them, below the first and above the last.
  const values = [0.0001, 0.0005, 0.0007, 0.003, 0.004, 0.2, 2.5, 5, 0.00051];

  it("read into the histogram exactly as per-request observations would have been", async () => {
    const tallied = new Metrics(sources);
    const observed = new Metrics(sources);
    const tally = tallied.latencyTallyOf("POST", "/v1/verify");
    for (const value of values) {
      tally.observe(value);
      observed.latency.observe({ method: "POST", route: "/v1/verify" }, value);
    }
    // Another route observed the regular way sits beside the tallied one.
    for (const metrics of [tallied, observed]) metrics.latency.observe({ method: "GET", route: "/v1/keys" }, 0.02);
    expect(await latencyLines(tallied)).toEqual(await latencyLines(observed));
    expect(await latencyLines(tallied)).toContain('keyward_http_request_duration_seconds_count{method="POST",route="/v1/verify"} 9');
  });

  it("adds each observation once, across reads, and keeps adding to a series observed the regular way too", async () => {
    const tallied = new Metrics(sources);
    const observed = new Metrics(sources);
    const tally = tallied.latencyTallyOf("POST", "/v1/verify");
    tally.observe(0.003);
    observed.latency.observe({ method: "POST", route: "/v1/verify" }, 0.003);
    await tallied.text();
    const first = await latencyLines(tallied);
    expect(await latencyLines(tallied)).toEqual(first);
    tallied.latency.observe({ method: "POST", route: "/v1/verify" }, 0.04);
    tally.observe(0.0002);
    for (const value of [0.04, 0.0002]) observed.latency.observe({ method: "POST", route: "/v1/verify" }, value);
    expect(await latencyLines(tallied)).toEqual(await latencyLines(observed));
  });
});
