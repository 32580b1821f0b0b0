import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/logger";
import { KEY_COUNT_TTL_MS } from "../src/metrics";
import { VERSION } from "../src/version";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject } from "./keyward-under-test";

/** What an operator sees: the info-level access log and /metrics. */

const lines: string[] = [];
let k: KeywardUnderTest;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  k = await openKeywardUnderTest({ logger: createLogger({ level: "info", destination: sink }) });
  await seedProject(k, "observed", ["invoices:read"]);
});

afterAll(async () => {
  await k?.close();
});

const accessLines = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === "request");

describe("access log", () => {
  it("writes one info line per request with method, route pattern, status, ms and request id, never the URL's query or a body", async () => {
    const { id, secret } = await seedKey(k, { project: "observed", environment: "test", name: "logged", scopes: ["invoices:read"] });
    lines.length = 0;
    await k.call("GET", `/v1/keys/${id}?leak=${secret}`, { headers: { "x-request-id": "req-access-1" } });
    await k.call("GET", `/v1/keys?project=observed&cursor=${secret}`, { headers: { "x-request-id": "req-access-2" } });
    await k.call("POST", "/v1/verify", { body: { key: secret }, headers: { "x-request-id": "req-access-3" } });
    await k.call("GET", `/nowhere/${secret}`, { headers: { "x-request-id": "req-access-4" } });

    const entries = accessLines();
    expect(entries.map((entry) => [entry.level, entry.method, entry.route, entry.status, entry.reqId])).toEqual([
      [30, "GET", "/v1/keys/:id", 200, "req-access-1"],
      [30, "GET", "/v1/keys", 400, "req-access-2"],
      [30, "POST", "/v1/verify", 200, "req-access-3"],
      [30, "GET", "unmatched", 404, "req-access-4"],
    ]);
    for (const entry of entries) expect(typeof entry.ms).toBe("number");
    const text = lines.join("\n");
    expect(text).not.toContain(secret);
    expect(text).not.toContain("leak=");
    expect(text).not.toContain(id);
  });
});

describe("/metrics", () => {
  const scrape = async () => (await k.call("GET", "/metrics", { token: null })).body;

  it("carries the Node.js process metrics and keyward_build_info with the version", async () => {
    const text = await scrape();
    for (const name of ["process_cpu_user_seconds_total", "process_resident_memory_bytes", "nodejs_heap_size_used_bytes", "nodejs_eventloop_lag_seconds"]) {
      expect(text, name).toMatch(new RegExp(`^${name} `, "m"));
    }
    expect(text).toContain(`keyward_build_info{version="${VERSION}",node="${process.versions.node}"} 1`);
  });

  it("gauges keys by environment and status, counted on scrape and cached for a short while", async () => {
    k.clock.advance(KEY_COUNT_TTL_MS);
    const before = await scrape();
    const live = before.match(/^keyward_keys\{environment="live",status="active"\} (\d+)$/m);
    expect(live, before).not.toBeNull();
    const activeLive = Number(live![1]);
    const { id } = await seedKey(k, { project: "observed", environment: "live", name: "counted", scopes: [] });
    await seedKey(k, { project: "observed", environment: "live", name: "expiring", scopes: [], expires_at: new Date(k.clock.read().getTime() + 60_000).toISOString() });
    await k.call("POST", `/v1/keys/${id}/revoke`, { body: {} });

    // Within the cache's lifetime a scrape answers the last count, without a query.
    expect(await scrape()).toContain(`keyward_keys{environment="live",status="active"} ${activeLive}`);

    k.clock.advance(KEY_COUNT_TTL_MS + 120_000);
    const after = await scrape();
    expect(after).toContain(`keyward_keys{environment="live",status="active"} ${activeLive}`);
    expect(after).toMatch(/^keyward_keys\{environment="live",status="expired"\} [1-9]\d*$/m);
    expect(after).toMatch(/^keyward_keys\{environment="live",status="revoked"\} [1-9]\d*$/m);
    expect(after).toMatch(/^keyward_keys\{environment="test",status="active"\} \d+$/m);
  });
});
