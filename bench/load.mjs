// Load generation shared by the benchmark rows: autocannon, fixed concurrency, bounded duration,
// and the target's own CPU time and work counters read before and after each run.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const target = fileURLToPath(new URL("./target.mjs", import.meta.url));

/** Starts `bench/target.mjs` with `options` and resolves with its ready line and a stop function. */
export async function startTarget(options) {
  const child = spawn(process.execPath, ["--expose-gc", target, JSON.stringify(options)], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`bench target ${JSON.stringify(options)} exited with ${code}`)));
    lines.once("line", (line) => resolve(JSON.parse(line)));
  });
  return {
    info,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners("exit");
        child.once("exit", resolve);
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }),
  };
}

/** The target's CPU time (µs), heap and counters; `gc` collects garbage first. */
export async function statsOf(info, { gc = false } = {}) {
  const answer = await fetch(`${info.statsUrl}/stats${gc ? "?gc=1" : ""}`);
  const stats = await answer.json();
  return { ...stats, cpuUs: stats.cpu.user + stats.cpu.system };
}

/**
 * POSTs bodies at `connections` for `seconds` (after `warmup` seconds, none when 0): the target's
 * own bodies round-robin, or `next()` for a new body per request (distinct secrets).
 */
export async function load(info, { connections = 32, seconds = 10, warmup = 3, next, amount } = {}) {
  const headers = { "content-type": "application/json", ...(info.token ? { authorization: `Bearer ${info.token}` } : {}) };
  const path = new URL(info.url).pathname;
  const requests = next
    ? [{ method: "POST", path, headers, setupRequest: (request) => ({ ...request, body: JSON.stringify(next()) }) }]
    : info.requests.map((body) => ({ method: "POST", path, headers, body: JSON.stringify(body) }));
  const run = (duration) => autocannon({ url: new URL(info.url).origin, connections, ...(amount ? { amount } : { duration }), requests, pipelining: 1 });
  if (warmup > 0) await run(warmup);
  const before = await statsOf(info);
  const result = await run(seconds);
  const after = await statsOf(info);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
  const total = result.requests.total;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.mean,
    requests: total,
    cpuUsPerRequest: (after.cpuUs - before.cpuUs) / Math.max(total, 1),
    queries: after.queries - before.queries,
    lookups: after.lookups - before.lookups,
  };
}
