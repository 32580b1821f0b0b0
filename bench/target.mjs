// One server under load, in its own process so the load generator does not share its event loop.
// `node --expose-gc bench/target.mjs '<json options>'` prints one JSON line when ready:
// {url, statsUrl, token?, requests}. Options: {kind: "bare"|"floor"|"keyward", stored?, cacheSize?,
// databaseUrl?, pepper?, join?}. `statsUrl` answers the target's own CPU time, heap, how many
// database queries and secret lookups it ran, and its event-loop delay since the previous read, so
// rows can count work instead of guessing it.
import { createHmac } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listen, openKeyward } from "../packages/server/dist/index.js";
import { benchSecret } from "./secrets.mjs";

const options = JSON.parse(process.argv[2] ?? "{}");
const counters = { queries: 0, lookups: 0, cacheSize: () => 0 };
const ready = (info) => process.stdout.write(`${JSON.stringify(info)}\n`);
const ANSWER = { valid: true, code: "VALID" };
// How long the event loop was held up (a stall delays every request queued behind it): p99 and max
// in ms since the previous stats read.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

async function listenOn(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

/** CPU time, heap and work counters of this process; `?gc=1` collects garbage first. */
async function statsServer() {
  const { url } = await listenOn((request, response) => {
    if (request.url.includes("gc=1")) {
      globalThis.gc?.();
      globalThis.gc?.();
    }
    const loop = { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
    loopDelay.reset();
    const body = JSON.stringify({ cpu: process.cpuUsage(), heap: process.memoryUsage().heapUsed, queries: counters.queries, lookups: counters.lookups, cacheSize: counters.cacheSize(), loop });
    response.writeHead(200, { "content-type": "application/json" });
    response.end(body);
  });
  return url;
}

/** Bare node:http: reads the body and answers a constant. What the machine allows at all. */
async function bare() {
  const body = JSON.stringify(ANSWER);
  const { url } = await listenOn((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      response.end(body);
    });
  });
  ready({ url: `${url}/v1/verify`, statsUrl: await statsServer(), requests: [{ key: "x" }] });
}

/**
 * The floor: a plain node:http server doing only the work a verification cannot avoid: parse the
 * JSON body, one HMAC-SHA256 of the key, one Map lookup by digest, serialise the key's answer.
 * No authentication, rules, metrics or logging; nothing a real service could do without.
 */
async function floor() {
  const pepper = Buffer.alloc(32, 7);
  const records = new Map();
  const requests = [];
  for (let i = 0; i < 100; i += 1) {
    const secret = benchSecret("floor", i);
    records.set(createHmac("sha256", pepper).update(secret).digest("hex"), { id: `key_${i}`, name: `bench-${i}`, project: "bench", environment: "live", scopes: ["bench:read"], metadata: {}, expires_at: null });
    requests.push({ key: secret, scopes: ["bench:read"] });
  }
  const { url } = await listenOn((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const key = records.get(createHmac("sha256", pepper).update(input.key).digest("hex"));
      const body = JSON.stringify(key ? { valid: true, code: "VALID", key } : { valid: false, code: "NOT_FOUND" });
      response.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
      response.end(body);
    });
  });
  ready({ url: `${url}/v1/verify`, statsUrl: await statsServer(), requests });
}

async function call(url, token, method, path, body) {
  const answer = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${await answer.text()}`);
  return answer.json();
}

/**
 * Stores `count` keys whose secrets are `benchSecret("stored", i)`, behind the API's back (through
 * the API it would take minutes): real rows, real HMAC digests, so every one of them verifies.
 */
async function fill(instance, count) {
  const { database } = instance.services.storage;
  const now = new Date().toISOString();
  const idsOf = (from) => Array.from({ length: Math.min(count, from + 10_000) - from }, (_, i) => `key_s${String(from + i).padStart(19, "0")}`);
  for (let from = 0; from < count; from += 10_000) {
    await database.query(
      `INSERT INTO api_keys (id, project, environment, name, scopes, version, hint, metadata, created_at, updated_at)
       SELECT id, 'bench', 'live', 'stored-' || id, '["bench:read"]'::jsonb, 1, 'kw_live_…0000', '{}'::jsonb, $2, $2 FROM unnest($1::text[]) AS id`,
      [idsOf(from), now],
    );
  }
  // The foreign-key check of each secret plans its key lookup once; planned on the table as it was
  // before the fill, it would scan all keys for every secret (the server's own ANALYZE runs every 10 min).
  await database.script("ANALYZE api_keys");
  for (let from = 0; from < count; from += 10_000) {
    const ids = idsOf(from);
    const digests = ids.map((_, i) => instance.services.pepper.digest(benchSecret("stored", from + i)));
    await database.query(
      `INSERT INTO key_secrets (digest, key_id, version, hint, created_at) SELECT d, id, 1, 'kw_live_…0000', $3 FROM unnest($1::text[], $2::text[]) AS t (d, id)`,
      [digests, ids, now],
    );
  }
}

/** Counts every statement and every secret lookup the server runs from here on. */
function countWork(instance) {
  const { database, stores } = instance.services.storage;
  const query = database.query.bind(database);
  database.query = (...args) => {
    counters.queries += 1;
    return query(...args);
  };
  const lookup = stores.secrets.findVerifiable.bind(stores.secrets);
  stores.secrets.findVerifiable = (...args) => {
    counters.lookups += 1;
    return lookup(...args);
  };
  counters.cacheSize = () => instance.services.cache.size;
}

async function open(dataDir) {
  const pino = (await import("pino")).default;
  return openKeyward({
    dataDir,
    databaseUrl: options.databaseUrl,
    pepper: options.pepper,
    verificationCacheSize: options.cacheSize,
    logger: pino({ level: "warn" }, pino.destination(2)),
  });
}

/** Project, token and 100 keys through the API, then `stored` more behind its back. */
async function setUp(instance, stored) {
  const rootToken = await instance.initializeIfNeeded();
  const setup = await listen(instance, { host: "127.0.0.1", port: 0 });
  await call(setup.url, rootToken, "POST", "/v1/projects", { name: "bench" });
  await call(setup.url, rootToken, "PUT", "/v1/projects/bench/scopes/bench:read", {});
  await call(setup.url, rootToken, "POST", "/v1/projects", { name: "other" });
  const token = (await call(setup.url, rootToken, "POST", "/v1/tokens", { name: "bench", scopes: ["keys:verify", "keys:read", "keys:write"], project: "bench" })).secret;
  const requests = [];
  for (let i = 0; i < 100; i += 1) {
    const { secret } = await call(setup.url, rootToken, "POST", "/v1/keys", { project: "bench", environment: "live", name: `bench-${i}`, scopes: ["bench:read"] });
    requests.push({ key: secret, scopes: ["bench:read"] });
  }
  await fill(instance, stored);
  return { setup, token, rootToken, requests };
}

/** Opens the filled data directory again, as a restarted server would, and measures what its start holds. */
async function reopen(dataDir) {
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  const instance = await open(dataDir);
  globalThis.gc?.();
  return { instance, memory: { before, after: process.memoryUsage().heapUsed, entries: instance.services.cache.size } };
}

async function keyward() {
  const stored = options.stored ?? 0;
  // Stored keys live in a data directory, so the server can be restarted on them and start as it
  // would in production (statistics, index of digests, cache), not with what the fill left behind.
  // Filling 100,000 keys takes minutes on a busy machine: the first run keeps a copy to start from.
  const filled = stored > 0 && !options.databaseUrl;
  const dataDir = filled ? mkdtempSync(join(tmpdir(), "keyward-bench-")) : undefined;
  const template = filled ? join(tmpdir(), `keyward-bench-template-${stored}`) : undefined;
  let instance;
  let server;
  let memory;
  let saved = template && existsSync(join(template, "bench.json")) ? JSON.parse(readFileSync(join(template, "bench.json"), "utf8")) : undefined;
  if (saved) {
    cpSync(template, dataDir, { recursive: true });
    ({ instance, memory } = await reopen(dataDir));
  } else {
    instance = await open(dataDir);
    if (!options.join) {
      const { setup, token, rootToken, requests } = await setUp(instance, stored);
      saved = { token, rootToken, requests };
      server = setup;
      if (filled) {
        await setup.close();
        rmSync(template, { recursive: true, force: true });
        cpSync(dataDir, template, { recursive: true });
        writeFileSync(join(template, "bench.json"), JSON.stringify(saved), { mode: 0o600 });
        ({ instance, memory } = await reopen(dataDir));
        server = undefined;
      }
    }
  }
  countWork(instance);
  server ??= await listen(instance, { host: "127.0.0.1", port: 0 });
  ready({ url: `${server.url}/v1/verify`, base: server.url, statsUrl: await statsServer(), token: saved?.token, rootToken: saved?.rootToken, requests: saved?.requests ?? [], memory });
  process.on("SIGTERM", () =>
    server.close().then(() => {
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }),
  );
}

if (options.kind === "bare") await bare();
else if (options.kind === "floor") await floor();
else await keyward();
