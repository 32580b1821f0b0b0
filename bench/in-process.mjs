// SPEC §16 in-process verifier rows: the SDK's verifier in this process against HTTP verify. The
// key service runs in its own process (bench/target.mjs) so neither side shares an event loop with
// the server. Rows:
//  - throughput: verifier.verifySync() calls per second in this process vs POST /v1/verify
//    requests per second (wrk, c=32, its own process) over the same 100 keys; target ≥ 50×;
//  - p99 of one verifySync() call and of one awaited verify() call; target ≤ 50 µs;
//  - revocation delay: from sending the revoke to the verifier refusing the key (no HTTP fallback:
//    fail-closed), the worst of several; target ≤ 1 s.
import { Keyward } from "../packages/client/dist/index.js";
import { load, startTarget } from "./load.mjs";

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * verifySync() over the target's requests, round-robin, for `seconds`; answers calls per second and
 * the refusals seen. It yields to the event loop every few milliseconds, as a server handling
 * requests does: a verifier hears its heartbeats only between tasks, and a loop that blocked for
 * over a second would (rightly) find its snapshot stale.
 */
async function syncThroughput(verifier, requests, seconds) {
  const checks = requests.map((request) => ({ key: request.key, check: { scopes: request.scopes } }));
  let calls = 0;
  let refused = 0;
  const started = performance.now();
  const end = started + seconds * 1_000;
  while (performance.now() < end) {
    const slice = performance.now() + 5;
    while (performance.now() < slice) {
      // Batches of 500 between clock reads, so the loop measures verification, not performance.now().
      for (let i = 0; i < 500; i += 1) {
        const { key, check } = checks[(calls + i) % checks.length];
        try {
          if (!verifier.verifySync(key, check).valid) refused += 1;
        } catch {
          refused += 1;
        }
      }
      calls += 500;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { rate: calls / ((performance.now() - started) / 1_000), calls, refused };
}

/** Each call timed alone: the distribution a request handler sees. */
async function latencies(verifier, requests, samples, awaited) {
  const times = new Float64Array(samples);
  let refused = 0;
  for (let i = 0; i < samples; i += 1) {
    const { key, scopes } = requests[i % requests.length];
    const start = process.hrtime.bigint();
    try {
      if (awaited) await verifier.verify(key, { scopes });
      else verifier.verifySync(key, { scopes });
    } catch {
      refused += 1;
    }
    times[i] = Number(process.hrtime.bigint() - start) / 1_000;
    // Between samples, not inside one: let the stream's heartbeats in.
    if (i % 1_000 === 999) await new Promise((resolve) => setImmediate(resolve));
  }
  return { sorted: [...times].sort((a, b) => a - b), refused };
}

async function until(probe) {
  for (;;) {
    try {
      if (probe()) return;
    } catch {
      // stale for a moment: keep polling
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Creates a key, waits until the verifier knows it, revokes it and measures until the verifier refuses it. */
async function revocationDelays(admin, verifier, count) {
  const delays = [];
  for (let i = 0; i < count; i += 1) {
    const { key, secret } = await admin.keys.create({ project: "bench", environment: "live", name: `revoked-${i}-${Date.now()}`, scopes: [] });
    await until(() => verifier.verifySync(secret).valid);
    const start = performance.now();
    await admin.keys.revoke(key.id);
    await until(() => verifier.verifySync(secret).code === "REVOKED");
    delays.push(performance.now() - start);
  }
  return delays.sort((a, b) => a - b);
}

export async function run({ seconds = 10 } = {}) {
  const target = await startTarget({ kind: "keyward" });
  let verifier;
  try {
    const url = new URL(target.info.url).origin;
    const admin = new Keyward({ url, token: target.info.rootToken, maxRetries: 0 });
    const client = new Keyward({ url, token: target.info.token, maxRetries: 0 });
    verifier = await client.verifier({ project: "bench", environment: "live", onStale: "fail-closed" });
    const rounds = 3;
    const perRound = Math.max(2, Math.round(seconds / rounds));
    const http = [];
    const local = [];
    // Alternated round by round, as the other rows do, so a noisy neighbour hits both sides alike.
    for (let round = 0; round < rounds; round += 1) {
      http.push(await load(target.info, { seconds: perRound, warmup: round === 0 ? 2 : 1 }));
      // Loading the server at c=32 can delay its heartbeats past the stale bound; start once the verifier trusts its snapshot again.
      await until(() => verifier.state === "live");
      local.push(await syncThroughput(verifier, target.info.requests, perRound));
    }
    const ratio = median(local.map((result, i) => result.rate / http[i].rps));
    const refused = local.reduce((sum, result) => sum + result.refused, 0);
    await until(() => verifier.state === "live");
    const syncTimes = await latencies(verifier, target.info.requests, 200_000, false);
    const asyncTimes = await latencies(verifier, target.info.requests, 100_000, true);
    const [syncP50, syncP99] = [percentile(syncTimes.sorted, 0.5), percentile(syncTimes.sorted, 0.99)];
    const [asyncP50, asyncP99] = [percentile(asyncTimes.sorted, 0.5), percentile(asyncTimes.sorted, 0.99)];
    const calls = local.reduce((sum, result) => sum + result.calls, 0) + 300_000;
    const staleRefusals = refused + syncTimes.refused + asyncTimes.refused;
    const delays = await revocationDelays(admin, verifier, 10);
    const worst = delays.at(-1);
    const httpRps = median(http.map((result) => result.rps));
    const localRate = median(local.map((result) => result.rate));
    return [
      {
        row: "in-process",
        measure: "verifySync() vs HTTP verify throughput, one process (c=32)",
        value: `${localRate.toFixed(0)} vs ${httpRps.toFixed(0)} verifications/s`,
        ratio,
        target: "≥ 50",
        pass: ratio >= 50,
        detail: { http, local },
      },
      // Every call of the run should have been answered from the snapshot: a refusal means the verifier found it stale (no heartbeat for over 1 s).
      {
        row: "in-process",
        measure: "calls refused during the run (snapshot stale or not valid)",
        value: `${staleRefusals} of ${calls}`,
        ratio: staleRefusals / calls,
        target: "0",
        pass: staleRefusals === 0,
      },
      { row: "in-process", measure: "verifySync() latency p50 / p99", value: `${syncP50.toFixed(1)} / ${syncP99.toFixed(1)} µs`, ratio: syncP99 / 50, target: "p99 ≤ 50 µs", pass: syncP99 <= 50 },
      { row: "in-process", measure: "await verify() latency p50 / p99", value: `${asyncP50.toFixed(1)} / ${asyncP99.toFixed(1)} µs`, ratio: asyncP99 / 50, target: "p99 ≤ 50 µs", pass: asyncP99 <= 50 },
      {
        row: "in-process",
        measure: "revocation delay to the verifier, worst of 10 (revoke sent → refused)",
        value: `${worst.toFixed(1)} ms (median ${median(delays).toFixed(1)} ms)`,
        ratio: worst / 1_000,
        target: "≤ 1000 ms",
        pass: worst <= 1_000,
        detail: { delays },
      },
    ];
  } finally {
    await verifier?.close();
    await target.stop();
  }
}
