// Load generation shared by the benchmark rows: wrk (bench/wrk.mjs) at fixed concurrency for a
// bounded duration or a fixed number of requests, and the target's own CPU time and work counters
// read before and after each run.
import { spawn } from "node:child_process";
import { get } from "node:http";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { runWrk } from "./wrk.mjs";

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

/**
 * The target's CPU time (µs), heap and counters; `gc` collects garbage first. Each read opens its
 * own connection and closes it: a kept-alive one would have timed out on the server during a run.
 */
export async function statsOf(info, { gc = false } = {}) {
  const stats = await new Promise((resolve, reject) => {
    const request = get(`${info.statsUrl}/stats${gc ? "?gc=1" : ""}`, { agent: false }, (answer) => {
      let text = "";
      answer.setEncoding("utf8").on("data", (chunk) => {
        text += chunk;
      });
      answer.on("end", () => (answer.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`the target's stats answered ${answer.statusCode}`))));
    });
    request.on("error", reject);
  });
  return { ...stats, cpuUs: stats.cpu.user + stats.cpu.system };
}

/**
 * Distinct bodies built per second of a run: above what wrk reaches against any target of this
 * machine (bare node:http: 34,000–49,000 req/s; unknown secrets, the fastest row that uses them:
 * 20,000–30,000), so a run never uses them up. A run that does fails and says to raise this.
 */
const DISTINCT_PER_SECOND = 60_000;

/**
 * POSTs at `connections` for `seconds` (after a `warmup` run of that many seconds, none when 0), or
 * `amount` requests in all: the target's own bodies round-robin, or with `next` a new body per
 * request (distinct secrets): `next()` is called for each before the run starts, and none is sent
 * twice. An answer of 400 or above, or a socket error, fails the run.
 */
export async function load(info, { connections = 32, seconds = 10, warmup = 3, next, amount } = {}) {
  const own = info.requests.map((body) => JSON.stringify(body));
  if (!next && own.length === 0) throw new Error("the target offers no request bodies and no `next` was given");
  const authorization = info.token ? `Bearer ${info.token}` : undefined;
  // The bodies are built before the run and before the target's counters are read: building a
  // run's distinct bodies takes a second or so, on this process's time, not the target's.
  const bodiesOf = (duration, count) => (next ? Array.from({ length: count ?? Math.ceil(duration * DISTINCT_PER_SECOND) }, () => JSON.stringify(next())) : own);
  const run = async (bodies, duration, count) => {
    // wrk has no request count: bench/wrk-load.lua sends exactly `count` and stops once all are
    // answered, before this bound: 100 per second and 30 s more (the memory row's server looks
    // most of its keys up in the database, some 500–1,000 per second on a busy machine).
    const bound = count ? Math.ceil(count / 100) + 30 : duration;
    const result = await runWrk({ url: info.url, authorization, bodies, distinct: next !== undefined, connections, seconds: bound, amount: count });
    const { status, ...socket } = result.errors;
    const problems = [];
    if (status > 0) problems.push(`${status} answers of 400 or above`);
    if (Object.values(socket).some((errors) => errors > 0)) problems.push(`socket errors ${JSON.stringify(socket)}`);
    if (result.exhausted) problems.push(`the run used up its ${result.bodies} prebuilt distinct bodies: raise DISTINCT_PER_SECOND in bench/load.mjs`);
    if (count && result.requests !== count) problems.push(`${result.requests} of the ${count} requests were answered within ${bound} s`);
    if (problems.length > 0) throw new Error(`under load (${info.url}, c=${connections}): ${problems.join("; ")}`);
    return result;
  };
  if (warmup > 0) await run(bodiesOf(warmup), warmup);
  const bodies = bodiesOf(seconds, amount);
  const before = await statsOf(info);
  const result = await run(bodies, seconds, amount);
  const after = await statsOf(info);
  const total = result.requests;
  const ms = (us) => us / 1_000;
  return {
    rps: total / (result.duration / 1e6),
    // wrk's latencies (µs, here ms) include its correction for coordinated omission: an answer that
    // took n intervals (the run's mean time per request of a connection) also counts at n − 1,
    // n − 2 … intervals, for the requests its connection could not send meanwhile: it weighs the tail up.
    p50: ms(result.latency.p50),
    p99: ms(result.latency.p99),
    mean: ms(result.latency.mean),
    requests: total,
    cpuUsPerRequest: (after.cpuUs - before.cpuUs) / Math.max(total, 1),
    queries: after.queries - before.queries,
    lookups: after.lookups - before.lookups,
    // The longest the target's event loop was held up during the run, and its p99 (ms).
    loopMax: after.loop.max,
    loopP99: after.loop.p99,
  };
}
