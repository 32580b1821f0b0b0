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
 * The most requests per second any target answers on this 2-core machine, with room to spare (bare
 * node:http answers about 10,000 under this load generator), and how far above its fair share one
 * connection may get (seen: 2.3×). They size the prebuilt bodies of a timed run, so no connection
 * runs out of them (`load` fails a run where one did); not much more, since autocannon spends about
 * 10 µs building each one before the run.
 */
const MOST_REQUESTS_PER_SECOND = 16_000;
const MOST_OVER_FAIR_SHARE = 4;

/**
 * Every row is driven the same way, so none pays more load-generator work per request than
 * another (the generator shares the machine's two cores with the target): before a run starts,
 * each connection is handed its own list of request bodies, already serialised, which autocannon
 * turns into request buffers once, before its clock starts; the connection then writes them in
 * order. The lists are equally long in every row: the target's own bodies repeat round-robin in
 * them; with `next`, every body is a new one (`next()` is called for each, beforehand) and the
 * lists are long enough that no body repeats within the run. A connection that reached the end
 * of its list would start it again (repeat bodies), so a run where one did fails.
 */
function prebuilt(info, { connections, seconds, amount, next }) {
  const perConnection = (index) =>
    amount ? Math.floor(amount / connections) + (index < amount % connections ? 1 : 0) : Math.ceil((seconds * MOST_REQUESTS_PER_SECOND * MOST_OVER_FAIR_SHARE) / connections);
  const own = info.requests.map((body) => JSON.stringify(body));
  if (!next && own.length === 0) throw new Error("the target offers no request bodies and no `next` was given");
  let offset = 0;
  return Array.from({ length: connections }, (_, index) => {
    const length = perConnection(index);
    const bodies = next ? Array.from({ length }, () => JSON.stringify(next())) : Array.from({ length }, (_, i) => own[(offset + i) % own.length]);
    offset += length;
    return bodies;
  });
}

/**
 * POSTs prebuilt bodies (see `prebuilt`) at `connections` for `seconds` (after `warmup` seconds,
 * none when 0), or `amount` requests in all: the target's own bodies, or `next()` for a new body
 * per request (distinct secrets).
 */
export async function load(info, { connections = 32, seconds = 10, warmup = 3, next, amount } = {}) {
  const headers = { "content-type": "application/json", ...(info.token ? { authorization: `Bearer ${info.token}` } : {}) };
  const path = new URL(info.url).pathname;
  const run = async (duration) => {
    const lists = prebuilt(info, { connections, seconds: duration, amount, next });
    const sent = [];
    const setupClient = (client) => {
      const index = sent.length;
      sent.push(0);
      client.on("request", () => {
        sent[index] += 1;
      });
      client.setRequests(lists[index].map((body) => ({ method: "POST", path, headers, body })));
    };
    const result = await autocannon({
      url: new URL(info.url).origin,
      connections,
      ...(amount ? { amount } : { duration }),
      // Each connection's own list replaces this one in `setupClient`.
      requests: [{ method: "POST", path, headers, body: lists[0][0] }],
      setupClient,
      pipelining: 1,
    });
    const overran = sent.findIndex((count, index) => count > lists[index].length);
    if (overran >= 0) throw new Error(`connection ${overran} sent ${sent[overran]} requests but had ${lists[overran].length} bodies: bodies repeated; raise MOST_REQUESTS_PER_SECOND`);
    if (sent.length !== connections) throw new Error(`autocannon opened ${sent.length} connections, expected ${connections}`);
    return result;
  };
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
    // The longest the target's event loop was held up during the run, and its p99 (ms).
    loopMax: after.loop.max,
    loopP99: after.loop.p99,
  };
}
