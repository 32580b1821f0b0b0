// Load generation shared by the benchmark rows: autocannon, fixed concurrency, bounded duration.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const target = fileURLToPath(new URL("./target.mjs", import.meta.url));

/** Starts `bench/target.mjs` with `args` and resolves with its ready line and a stop function. */
export async function startTarget(args) {
  const child = spawn(process.execPath, [target, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`bench target ${args.join(" ")} exited with ${code}`)));
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

/** POSTs the target's request bodies round-robin at `connections` for `seconds`, after a warm-up. */
export async function load(info, { connections = 32, seconds = 10, warmup = 3 } = {}) {
  const headers = { "content-type": "application/json", ...(info.token ? { authorization: `Bearer ${info.token}` } : {}) };
  const requests = info.requests.map((body) => ({ method: "POST", path: new URL(info.url).pathname, headers, body: JSON.stringify(body) }));
  const run = (duration) => autocannon({ url: new URL(info.url).origin, connections, duration, requests, pipelining: 1 });
  await run(warmup);
  const result = await run(seconds);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.mean, requests: result.requests.total };
}
