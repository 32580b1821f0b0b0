// SPEC §16 verify and scale rows. These machines are shared and noisy, so servers being compared
// run side by side and are loaded in alternation, round after round; each ratio is the median of
// the per-round ratios. Next to throughput, each row gives the target's CPU time per request
// (process.cpuUsage of the server process), which the neighbours' load disturbs far less.
import { createServer } from "node:net";
import { hasValidChecksum } from "../packages/contract/dist/index.js";
import { load, startTarget, statsOf } from "./load.mjs";
import { startPostgres } from "./postgres.mjs";
import { benchSecret } from "./secrets.mjs";

const STORED = 100_000;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fixed = (value, digits = 0) => Number(value).toFixed(digits);
/** 0 … count − 1 in a uniformly random order (Fisher–Yates). */
function shuffled(count) {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
/** A latency in ms to 0.01 ms (the load generator measures µs). */
const ms = (value) => fixed(value, 2);

async function withTargets(optionsList, work) {
  const targets = [];
  try {
    for (const options of optionsList) targets.push(await startTarget(options));
    return await work(targets.map((target) => target.info));
  } finally {
    await Promise.all(targets.map((target) => target.stop()));
  }
}

async function post(info, body, base = info.base) {
  const answer = await fetch(`${base}/v1/verify`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(info.token ? { authorization: `Bearer ${info.token}` } : {}) },
    body: JSON.stringify(body),
  });
  return answer.json();
}

/** A row passes only for the right reason: a sample of its requests must answer the expected code. */
async function expectCode(info, bodies, code) {
  for (const body of bodies) {
    const answer = await post(info, body);
    if (answer.code !== code) throw new Error(`bench request answered ${answer.code}, expected ${code}: the row would measure the wrong path`);
  }
}

/** Runs each task once per round, `rounds` times, in alternation; answers each task's runs. */
async function alternate(tasks, rounds) {
  const results = tasks.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, task] of tasks.entries()) results[index].push(await task(round));
  }
  return results;
}

const ratioOf = (top, bottom, field = "rps") => median(top.map((run, i) => run[field] / bottom[i][field]));
const cpuRatioOf = (top, bottom) => median(top.map((run, i) => bottom[i].cpuUsPerRequest / run.cpuUsPerRequest));
const summary = (runs) => Object.fromEntries(["rps", "p50", "p99", "mean", "cpuUsPerRequest"].map((field) => [field, median(runs.map((run) => run[field]))]));
const sum = (runs, field) => runs.reduce((total, run) => total + run[field], 0);

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Bare, the floor, cached, unknown and first-use verification: one alternation, so the ratios share their noise. */
async function verifyRows([bare, floor, keyward, stored], rounds, seconds) {
  // Every unknown secret is new: a counter numbers them, across rounds too, and `load` builds each
  // run's bodies before it starts, and never sends one twice (a run that would use them all up fails).
  let unknownCounter = 0;
  const unknown = () => ({ key: benchSecret("unknown", unknownCounter++), scopes: ["bench:read"] });
  // Every stored key at most once in the whole row, in a shuffled order, on a server that has just
  // started on them: each request is the first verification of its key. (Draws with replacement
  // would repeat about a third of 80,000 draws from 100,000 keys, and repeats are cache hits.)
  const order = shuffled(STORED);
  let drawnCount = 0;
  const drawn = () => ({ key: benchSecret("stored", order[drawnCount++]), scopes: ["bench:read"] });
  for (let i = 0; i < 20; i += 1) {
    if (!hasValidChecksum(unknown().key)) throw new Error("bench secrets fail the contract's checksum: the unknown-key row would measure the offline reject");
  }
  {
    await expectCode(keyward, keyward.requests.slice(0, 3), "VALID");
    await expectCode(keyward, [unknown(), unknown()], "NOT_FOUND");
    if (stored) await expectCode(stored, [drawn(), drawn(), drawn()], "VALID");
    // The keys not yet verified, shared out between the rounds: a fixed number per round, not a
    // duration, so no round runs out of first uses whatever rate it reaches.
    const firstUsesPerRound = Math.floor((STORED - drawnCount) / rounds);
    const runs = await alternate(
      [
        (round) => load(bare, { seconds, warmup: round === 0 ? 2 : 1 }),
        (round) => load(floor, { seconds, warmup: round === 0 ? 2 : 1 }),
        (round) => load(keyward, { seconds, warmup: round === 0 ? 2 : 1 }),
        () => load(keyward, { seconds, warmup: 0, next: unknown }),
        ...(stored ? [() => load(stored, { warmup: 0, amount: firstUsesPerRound, next: drawn })] : []),
      ],
      rounds,
    );
    return { runs };
  }
}

/**
 * Creation at 100 / 10k / 100k stored, and paging 100k keys with and without `?project=`. Both are
 * sequential requests whose time the neighbours' load moves by tens of percent, so each is sampled
 * in many short rounds, alternating the targets within a round, and judged by the median of the
 * per-round ratios (as the throughput rows are), not by a ratio of medians taken at different times.
 */
async function creationAndPaging(targets, rounds, perRound) {
  let serial = 0;
  const create = async (info) => {
    const before = await statsOf(info);
    const started = performance.now();
    for (let i = 0; i < perRound; i += 1) {
      const answer = await fetch(`${info.base}/v1/keys`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${info.token}` },
        body: JSON.stringify({ project: "bench", environment: "live", name: `created-${serial++}`, scopes: ["bench:read"] }),
      });
      if (answer.status !== 201) throw new Error(`key creation answered ${answer.status}`);
      await answer.arrayBuffer();
    }
    const after = await statsOf(info);
    return { mean: (performance.now() - started) / perRound, cpuUsPerRequest: (after.cpuUs - before.cpuUs) / perRound };
  };
  // One unmeasured round first: each server's first creations warm its plans and pages.
  for (const info of targets) await create(info);
  const creation = await alternate(targets.map((info) => () => create(info)), rounds);
  const page = async (info, query) => {
    const started = performance.now();
    let cursor;
    let seen = 0;
    do {
      const answer = await fetch(`${info.base}/v1/keys?limit=100${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { headers: { authorization: `Bearer ${info.token}` } });
      const body = await answer.json();
      seen += body.data.length;
      cursor = body.next_cursor ?? undefined;
    } while (cursor);
    return { ms: performance.now() - started, seen };
  };
  const large = targets[2];
  const [unfiltered, filtered] = await alternate([() => page(large, ""), () => page(large, "&project=bench")], 3);
  return { creation, paging: { unfiltered, filtered } };
}

/** Memory of the verification state: a server with a small cache on 40,000 keys, before and after verifying more keys than it holds. */
async function memoryRow() {
  const capacity = 10_000;
  return withTargets([{ kind: "keyward", stored: 40_000, cacheSize: capacity }], async ([info]) => {
    const before = await statsOf(info, { gc: true });
    let index = 0;
    // Most of these keys are not cached: each is looked up, and the lookups of one turn of the event loop share a statement.
    const cold = await load(info, { warmup: 0, connections: 16, amount: 2 * capacity, next: () => ({ key: benchSecret("stored", index++ % 40_000) }) });
    const after = await statsOf(info, { gc: true });
    return { capacity, before, after, cold, verified: index, perKey: info.memory ? (info.memory.after - info.memory.before) / Math.max(info.memory.entries, 1) : undefined };
  });
}

/** Two servers on one PostgreSQL: throughput of one vs both, and one rate limit shared by both. */
async function scaleOut(rounds, seconds) {
  const postgres = startPostgres(await freePort());
  try {
    const pepper = "bench-pepper-shared-by-both-instances-0123456789";
    return await withTargets([{ kind: "keyward", databaseUrl: postgres.url, pepper }], async ([first]) =>
      withTargets([{ kind: "keyward", databaseUrl: postgres.url, pepper, join: true }], async ([joined]) => {
        const second = { ...joined, token: first.token, requests: first.requests };
        await expectCode(second, second.requests.slice(0, 2), "VALID");
        const [one, two] = await alternate(
          [
            (round) => load(first, { seconds, warmup: round === 0 ? 2 : 1 }),
            // Two load generators at once (wrk, one thread each) and two servers: four busy processes
            // on two cores, where the one-instance run has two. That is the point of the row: what
            // a second server on the same machine adds, with the generators' share of it counted in.
            async () => {
              const both = await Promise.all([load(first, { seconds, warmup: 1, connections: 16 }), load(second, { seconds, warmup: 1, connections: 16 })]);
              return { rps: sum(both, "rps"), p99: Math.max(...both.map((run) => run.p99)), cpuUsPerRequest: (both[0].cpuUsPerRequest * both[0].requests + both[1].cpuUsPerRequest * both[1].requests) / sum(both, "requests") };
            },
          ],
          rounds,
        );
        const limit = 100;
        const created = await fetch(`${first.base}/v1/keys`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${first.token}` },
          body: JSON.stringify({ project: "bench", environment: "live", name: "limited", scopes: [], rate_limit: { requests: limit, window: "1h" } }),
        }).then((answer) => answer.json());
        const answers = [];
        const worker = async (info, count) => {
          for (let i = 0; i < count; i += 1) answers.push(await post(info, { key: created.secret }));
        };
        await Promise.all([...Array(8)].map((_, i) => worker(i % 2 === 0 ? first : second, 50)));
        const resets = new Set(answers.map((answer) => answer.ratelimit?.reset));
        return { one, two, limit, sent: answers.length, valid: answers.filter((answer) => answer.code === "VALID").length, windows: resets.size };
      }),
    );
  } finally {
    postgres.stop();
  }
}

/** Ratios to the floor, by throughput and by server CPU per request. */
function comparing(floor) {
  const f = summary(floor);
  const vsFloor = (top) => ratioOf(top, floor);
  const cpu = (top, summaryOf) => `server CPU ${fixed(summaryOf.cpuUsPerRequest)} vs ${fixed(f.cpuUsPerRequest)} µs/req (${fixed(cpuRatioOf(top, floor), 2)}×)`;
  return { vsFloor, cpu };
}

/** The rows of the HTTP verify alternation up to the unknown secrets: bare, floor, cached (throughput, latency), unknown. */
function httpVerifyTable([bare, floor, cached, unknown]) {
  const [b, f, c, u] = [bare, floor, cached, unknown].map(summary);
  const { vsFloor, cpu } = comparing(floor);
  const rows = [];
  const row = (measure, value, ratio, target, pass, detail) => rows.push({ row: "verify", measure, value, ratio, target, pass, ...(detail ? { detail } : {}) });
  // The two reference rows check the run itself: bare does the least work of all rows and the
  // floor strictly more than bare, so a reversed order says the noise outweighed what is measured.
  // (Cached verify may use less CPU than the floor: it skips the HMAC of a secret it remembers.)
  const leastCpu = Math.min(f.cpuUsPerRequest, c.cpuUsPerRequest, u.cpuUsPerRequest);
  row("bare node:http constant body (c=32)", `${fixed(b.rps)} req/s, p99 ${ms(b.p99)} ms, ${fixed(b.cpuUsPerRequest)} µs CPU/req`, 1, "least server CPU/req of the rows", b.cpuUsPerRequest <= leastCpu, { bare });
  const floorRatio = ratioOf(floor, bare);
  row(
    "floor: node:http parse + HMAC + Map lookup + serialise vs bare",
    `${fixed(f.rps)} vs ${fixed(b.rps)} req/s; server CPU ${fixed(f.cpuUsPerRequest)} vs ${fixed(b.cpuUsPerRequest)} µs/req`,
    floorRatio,
    "≤ 1, more CPU/req than bare",
    floorRatio <= 1 && b.cpuUsPerRequest <= f.cpuUsPerRequest,
    { floor },
  );
  const cachedRatio = vsFloor(cached);
  row("cached verify vs floor (c=32)", `${fixed(c.rps)} vs ${fixed(f.rps)} req/s; ${cpu(cached, c)}`, cachedRatio, "≥ 0.85", cachedRatio >= 0.85, { cached });
  const stall = (runs) => fixed(Math.max(...runs.map((run) => run.loopMax)), 1);
  row("cached verify latency p50 / p99 (c=32)", `${ms(c.p50)} / ${ms(c.p99)} ms (floor ${ms(f.p50)} / ${ms(f.p99)} ms); longest event-loop stall ${stall(cached)} ms (floor ${stall(floor)} ms)`, c.p99 / f.p99, "p99 ≤ 5 ms", c.p99 <= 5);
  const unknownRatio = vsFloor(unknown);
  const unknownLookups = sum(unknown, "lookups");
  row("unknown well-formed secrets, all distinct, vs floor", `${fixed(u.rps)} req/s, ${unknownLookups} database lookups in ${sum(unknown, "requests")} requests; ${cpu(unknown, u)}`, unknownRatio, "≥ 0.85, 0 lookups", unknownRatio >= 0.85 && unknownLookups === 0, { unknown });
  return rows;
}

/** Only the HTTP verify rows of a cache-sized server (bare, floor, cached, unknown): a quick run while working on that path. */
async function httpVerifyRows(seconds) {
  const rounds = 3;
  const { runs } = await withTargets([{ kind: "bare" }, { kind: "floor" }, { kind: "keyward" }], (targets) => verifyRows(targets, rounds, Math.max(1, Math.round(seconds / rounds))));
  return httpVerifyTable(runs);
}

/** `only: "http-verify"` runs just the rows of `httpVerifyRows`; by default every row runs. */
export async function run({ seconds = 10, only } = {}) {
  if (only === "http-verify") return httpVerifyRows(seconds);
  if (only !== undefined) throw new Error(`bench/verify.mjs: unknown \`only\` ${JSON.stringify(only)}, expected "http-verify"`);
  const rounds = 3;
  const perRound = Math.max(1, Math.round(seconds / rounds));
  // One set of targets for the verify, creation and paging rows: a 100,000-key server takes a while to fill.
  const { runs, creation, paging } = await withTargets(
    [{ kind: "bare" }, { kind: "floor" }, { kind: "keyward" }, { kind: "keyward", stored: STORED }, { kind: "keyward", stored: 10_000 }],
    async ([bare, floor, keyward, stored, tenThousand]) => ({
      ...(await verifyRows([bare, floor, keyward, stored], rounds, perRound)),
      ...(await creationAndPaging([keyward, tenThousand, stored], 7, 20)),
    }),
  );
  const [, floor, , , firstUse] = runs;
  const s = summary(firstUse);
  const [c100, c10k, c100k] = creation.map((runs) => ({ mean: median(runs.map((run) => run.mean)), cpu: median(runs.map((run) => run.cpuUsPerRequest)) }));
  const memory = await memoryRow();
  const scale = await scaleOut(rounds, perRound);

  const { vsFloor, cpu } = comparing(floor);
  const rows = httpVerifyTable(runs);
  const row = (measure, value, ratio, target, pass, detail) => rows.push({ row: "verify", measure, value, ratio, target, pass, ...(detail ? { detail } : {}) });
  const firstRatio = vsFloor(firstUse);
  row(`first verify of stored keys, each once, of ${STORED} stored, vs floor`, `${fixed(s.rps)} req/s, ${sum(firstUse, "lookups")} lookups in ${sum(firstUse, "requests")} requests, each a different key; ${cpu(firstUse, s)}`, firstRatio, "≥ 0.5", firstRatio >= 0.5, { firstUse });
  const creationRatio = ratioOf(creation[2], creation[0], "mean");
  row("key creation at 100 / 10k / 100k stored", `${fixed(c100.mean, 2)} / ${fixed(c10k.mean, 2)} / ${fixed(c100k.mean, 2)} ms each (server CPU ${fixed(c100.cpu)} / ${fixed(c10k.cpu)} / ${fixed(c100k.cpu)} µs)`, creationRatio, "100k ≤ 1.2× 100", creationRatio <= 1.2, { creation });
  const pagingRatio = ratioOf(paging.filtered, paging.unfiltered, "ms");
  const pagedAll = [...paging.filtered, ...paging.unfiltered].every((pass) => pass.seen >= STORED);
  const [filteredMs, unfilteredMs] = [paging.filtered, paging.unfiltered].map((passes) => median(passes.map((pass) => pass.ms)));
  row(`paging ${STORED} keys with ?project= vs unfiltered`, `${fixed(filteredMs)} vs ${fixed(unfilteredMs)} ms (median of ${paging.filtered.length} alternated passes, ${paging.filtered[0].seen} / ${paging.unfiltered[0].seen} keys)`, pagingRatio, "≤ 1.2", pagedAll && pagingRatio <= 1.2, { paging });
  const grown = memory.after.heap - memory.before.heap;
  const bounded = memory.after.cacheSize <= memory.capacity + 10 && grown < 32 * 2 ** 20;
  row(
    "verification cache memory (capacity 10,000, 40k stored)",
    `${fixed((memory.perKey ?? 0) / 1024, 2)} KiB per cached key; after ${memory.verified} distinct verifications ${memory.after.cacheSize} entries, heap ${fixed(memory.before.heap / 2 ** 20)} → ${fixed(memory.after.heap / 2 ** 20)} MiB; on the cold cache ${fixed(memory.cold.rps)} req/s, ${fixed(memory.cold.cpuUsPerRequest)} µs CPU/req, ${memory.cold.lookups} lookups, ${memory.cold.queries} database statements in all`,
    memory.after.cacheSize / memory.capacity,
    "entries ≤ capacity, heap flat",
    bounded,
    { memory },
  );
  const scaleRatio = ratioOf(scale.two, scale.one);
  const [one, two] = [scale.one, scale.two].map(summary);
  row("2 vs 1 instances on one PostgreSQL, cached verify", `${fixed(two.rps)} vs ${fixed(one.rps)} req/s (server CPU ${fixed(two.cpuUsPerRequest)} vs ${fixed(one.cpuUsPerRequest)} µs/req)`, scaleRatio, "> 1", scaleRatio > 1, { one: scale.one, two: scale.two });
  const accuracy = scale.valid / scale.limit;
  row(
    "rate limit across 2 instances (limit 100, 400 sent)",
    `${scale.valid} of ${scale.sent} allowed, limit ${scale.limit}${scale.windows > 1 ? " (window rolled over: run again)" : ""}`,
    accuracy,
    "0.9–1.1",
    scale.windows === 1 && accuracy >= 0.9 && accuracy <= 1.1,
  );
  return rows;
}
