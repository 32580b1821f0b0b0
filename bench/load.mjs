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
 * About what the fastest target answers per second on this 2-core machine (bare node:http: 10,000
 * to 26,000 under this load generator). It sizes the bodies built before a run; autocannon spends
 * some 5–10 µs turning each into a request buffer, so building far more would take seconds.
 */
const REQUESTS_PER_SECOND = 16_000;
/** Bodies a connection gets at a time once it has sent its first list (one connection may get 2–3× its fair share). */
const REFILL = 256;

/**
 * Every row is driven the same way, so none pays more load-generator work per request than
 * another (the generator shares the machine's two cores with the target). Before a run, all its
 * bodies are serialised: a first list for each connection, its fair share of REQUESTS_PER_SECOND,
 * and a reserve as large again. Autocannon turns a list into request buffers once, before its
 * clock starts for the first lists, and the connection writes them in order. A connection that
 * gets to the end of its list takes the next REFILL bodies of the reserve (built then: the same in
 * every row, and rare) instead of starting its list again. The target's own bodies repeat
 * round-robin (the reserve starts again once used up); with `next`, every body is a new one (`next()` is called for each, beforehand), so
 * no body repeats within the run: a run that used up the reserve fails.
 */
class Bodies {
  constructor(info, { connections, seconds, amount, next }) {
    const own = info.requests.map((body) => JSON.stringify(body));
    if (!next && own.length === 0) throw new Error("the target offers no request bodies and no `next` was given");
    const share = (index) => (amount ? Math.floor(amount / connections) + (index < amount % connections ? 1 : 0) : Math.ceil((seconds * REQUESTS_PER_SECOND) / connections));
    const total = Array.from({ length: connections }, (_, index) => share(index)).reduce((sum, length) => sum + length, 0) * (amount ? 1 : 2);
    this.all = next ? Array.from({ length: total }, () => JSON.stringify(next())) : Array.from({ length: total }, (_, i) => own[i % own.length]);
    this.firsts = [];
    let offset = 0;
    for (let index = 0; index < connections; index += 1) {
      this.firsts.push(this.all.slice(offset, offset + share(index)));
      offset += share(index);
    }
    this.taken = offset;
    this.distinct = next !== undefined;
  }

  /** The next `count` bodies of the reserve; once it is used up, the target's own bodies start again, and distinct ones fail (they would repeat). */
  take(count) {
    if (this.taken + count > this.all.length) {
      if (this.distinct) throw new Error(`the load generator used up its ${this.all.length} prebuilt distinct bodies: raise REQUESTS_PER_SECOND in bench/load.mjs`);
      this.taken = 0;
    }
    this.taken += count;
    return this.all.slice(this.taken - count, this.taken);
  }
}

/**
 * POSTs prebuilt bodies (see `Bodies`) at `connections` for `seconds` (after `warmup` seconds,
 * none when 0), or `amount` requests in all: the target's own bodies, or `next()` for a new body
 * per request (distinct secrets).
 */
export async function load(info, { connections = 32, seconds = 10, warmup = 3, next, amount } = {}) {
  const headers = { "content-type": "application/json", ...(info.token ? { authorization: `Bearer ${info.token}` } : {}) };
  const path = new URL(info.url).pathname;
  const requestsOf = (bodies) => bodies.map((body) => ({ method: "POST", path, headers, body }));
  const run = async (duration) => {
    const bodies = new Bodies(info, { connections, seconds: duration, amount, next });
    const sent = [];
    let failure;
    const setupClient = (client) => {
      const index = sent.length;
      sent.push(0);
      // How many of this connection's requests its lists hold so far.
      let held = bodies.firsts[index].length;
      client.on("request", () => {
        sent[index] += 1;
        if (sent[index] <= held) return;
        // The list is used up: autocannon would start it again. The next request is the second
        // of a new list (it moves on before it writes), so the new list's first body is never sent.
        try {
          client.setRequests(requestsOf(bodies.take(REFILL)));
          held += REFILL - 1;
        } catch (error) {
          failure ??= error;
        }
      });
      client.setRequests(requestsOf(bodies.firsts[index]));
    };
    const result = await autocannon({
      url: new URL(info.url).origin,
      connections,
      ...(amount ? { amount } : { duration }),
      // Each connection's own list replaces this one in `setupClient`.
      requests: requestsOf(bodies.firsts[0].slice(0, 1)),
      setupClient,
      pipelining: 1,
    });
    // Error answers come fast and would use up the bodies first: report them as what went wrong.
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers (${JSON.stringify(result.statusCodeStats)}) and ${result.errors} errors under load`);
    if (failure) throw failure;
    if (sent.length !== connections) throw new Error(`autocannon opened ${sent.length} connections, expected ${connections}`);
    return result;
  };
  if (warmup > 0) await run(warmup);
  const before = await statsOf(info);
  const result = await run(seconds);
  const after = await statsOf(info);
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
