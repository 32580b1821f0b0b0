// The bench's HTTP load generator: wrk (C, one event loop per thread), run as a child process with
// bench/wrk-load.lua, which sends prebuilt bodies and prints the run's figures as one JSON line.
// A generator written in Node (autocannon) spent over a core of this 2-core machine and capped
// every target near the same rate, so rows compared its limit, not the servers'.
// `node bench/wrk.mjs` only checks that wrk is installed (the first step of `npm run bench`).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("./wrk-load.lua", import.meta.url));
const INSTALL = "install it: `apt-get install wrk` (Debian, Ubuntu) or `brew install wrk` (macOS)";
/**
 * A request answered later than this counts as a timeout error (and fails the run). wrk keeps a
 * counter per µs up to it for its percentiles, so it is not set far beyond what a row could see.
 */
const TIMEOUT_SECONDS = 4;

/** Fails with what to install when `wrk` is not on PATH. */
export function requireWrk() {
  const probe = spawnSync("wrk", ["-v"], { stdio: "ignore" });
  if (probe.error) throw new Error(`the bench loads its HTTP targets with wrk, which did not start (${probe.error.code}): ${INSTALL}`);
}

/**
 * One wrk run against `url`: POSTs of `bodies` (JSON texts) round-robin, or with `distinct` each
 * once only, at `connections` for `seconds`, or `amount` requests in all (`seconds` then bounds
 * the run). Answers what `done` in bench/wrk-load.lua printed: requests, duration (µs), errors,
 * latency (µs), sent, bodies, exhausted.
 */
export async function runWrk({ url, authorization, bodies, distinct = false, connections, seconds, amount = 0 }) {
  if (bodies.length === 0) throw new Error("a wrk run needs at least one request body");
  if (bodies.some((body) => body.includes("\n"))) throw new Error("a request body holds a line break: bench/wrk-load.lua reads one body a line");
  if (authorization?.includes("\n")) throw new Error("the authorization header holds a line break");
  // The bodies and the token go through a file of this process's own, never through wrk's arguments.
  const directory = mkdtempSync(join(tmpdir(), "keyward-wrk-"));
  const file = join(directory, "bodies");
  try {
    writeFileSync(file, `${authorization ?? ""}\n${bodies.join("\n")}\n`, { mode: 0o600 });
    // One thread: wrk's thread takes at most one core and leaves the other to the target (the
    // machine has two). One thread is far from its limit at these rates, so it does not cap them.
    const args = ["-t1", `-c${connections}`, `-d${Math.max(1, Math.round(seconds))}s`, "--latency", `--timeout`, `${TIMEOUT_SECONDS}s`, "-s", script, url, "--", file, distinct ? "distinct" : "cycle", String(amount)];
    const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let interrupted = false;
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      stdout += chunk;
      // wrk sleeps for the whole duration even once its thread has stopped; SIGINT ends the sleep.
      // Once only: wrk's handler does not restart system calls, and a second one could cut its output.
      if (!interrupted && /^wrk-load: (amount answered|distinct bodies used up)$/m.test(stdout)) {
        interrupted = true;
        child.kill("SIGINT");
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve, reject) => {
      child.once("error", (error) => reject(error.code === "ENOENT" ? new Error(`wrk is not on PATH: ${INSTALL}`) : error));
      child.once("close", resolve);
    });
    const line = stdout.split("\n").findLast((text) => text.startsWith("{"));
    if (code !== 0 || line === undefined) throw new Error(`wrk exited with ${code} and no result line: ${(stderr || stdout).trim().slice(-600)}`);
    return JSON.parse(line);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    requireWrk();
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
