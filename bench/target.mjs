// One server under load, in its own process so the load generator does not share its event loop.
// `node bench/target.mjs bare|framework|keyward [fillerKeys]` prints one JSON line {url, requests} when ready.
import { createServer } from "node:http";
import { listen, openKeyward } from "../packages/server/dist/index.js";

const [kind, fillerText = "0"] = process.argv.slice(2);
const ready = (info) => process.stdout.write(`${JSON.stringify(info)}\n`);

async function bare() {
  const body = JSON.stringify({ valid: true, code: "VALID" });
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      response.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  ready({ url: `http://127.0.0.1:${server.address().port}/v1/verify`, requests: [{ key: "x" }] });
}

/** The framework's own floor: fastify answering a constant body, no Keyward code at all. */
async function framework() {
  const Fastify = (await import("fastify")).default;
  const app = Fastify();
  app.post("/v1/verify", async () => ({ valid: true, code: "VALID" }));
  await app.listen({ host: "127.0.0.1", port: 0 });
  ready({ url: `http://127.0.0.1:${app.server.address().port}/v1/verify`, requests: [{ key: "x" }] });
}

async function call(url, token, method, path, body) {
  const answer = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${await answer.text()}`);
  return answer.json();
}

/** Fills the database with keys nobody verifies, in two statements (the API would take minutes). */
async function fill(storage, count) {
  if (count === 0) return;
  const now = new Date().toISOString();
  await storage.database.query(
    `INSERT INTO api_keys (id, project, environment, name, scopes, version, hint, metadata, created_at, updated_at)
     SELECT 'key_f' || lpad(g::text, 19, '0'), 'bench', 'live', 'filler-' || g, '[]'::jsonb, 1, 'kw_live_…0000', '{}'::jsonb, $2, $2
     FROM generate_series(1, $1) AS g`,
    [count, now],
  );
  await storage.database.query(
    `INSERT INTO key_secrets (digest, key_id, version, hint, created_at)
     SELECT encode(sha256(('filler-' || g)::bytea), 'hex'), 'key_f' || lpad(g::text, 19, '0'), 1, 'kw_live_…0000', $2
     FROM generate_series(1, $1) AS g`,
    [count, now],
  );
}

async function keyward(fillerKeys) {
  const pino = (await import("pino")).default;
  const instance = await openKeyward({ logger: pino({ level: "warn" }, pino.destination(2)) });
  const rootToken = await instance.initializeIfNeeded();
  const server = await listen(instance, { host: "127.0.0.1", port: 0 });
  await call(server.url, rootToken, "POST", "/v1/projects", { name: "bench" });
  await call(server.url, rootToken, "PUT", "/v1/projects/bench/scopes/bench:read", {});
  await fill(instance.services.storage, fillerKeys);
  const verifier = await call(server.url, rootToken, "POST", "/v1/tokens", { name: "verifier", scopes: ["keys:verify"], project: "bench" });
  const requests = [];
  for (let i = 0; i < 100; i += 1) {
    const { secret } = await call(server.url, rootToken, "POST", "/v1/keys", { project: "bench", environment: "live", name: `bench-${i}`, scopes: ["bench:read"] });
    requests.push({ key: secret, scopes: ["bench:read"] });
  }
  ready({ url: `${server.url}/v1/verify`, token: verifier.secret, rootToken, requests });
  process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
}

if (kind === "bare") await bare();
else if (kind === "framework") await framework();
else await keyward(Number(fillerText));
