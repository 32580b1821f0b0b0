// SPEC §8 verify and scale rows: POST /v1/verify against a bare node:http server, and with
// 100,000 vs 100 keys stored. These machines are shared and noisy, so the servers being compared
// run side by side and are loaded in alternation, round after round; each row reports the median
// of the per-round ratios.
import { load, startTarget } from "./load.mjs";

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Loads each target in turn, `rounds` times; answers every target's results per round. */
async function alternate(targets, { rounds, seconds }) {
  const results = targets.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, target] of targets.entries()) results[index].push(await load(target.info, { seconds, warmup: round === 0 ? 3 : 1 }));
  }
  return results;
}

async function withTargets(argsList, work) {
  const targets = [];
  try {
    for (const args of argsList) targets.push(await startTarget(args));
    return await work(targets);
  } finally {
    await Promise.all(targets.map((target) => target.stop()));
  }
}

const summary = (runs) => ({
  rps: median(runs.map((run) => run.rps)),
  p50: median(runs.map((run) => run.p50)),
  p99: median(runs.map((run) => run.p99)),
  mean: median(runs.map((run) => run.mean)),
});

export async function run({ seconds = 10 } = {}) {
  const rounds = 3;
  const perRound = Math.max(2, Math.round(seconds / rounds));
  const [bare, framework, verify] = await withTargets([["bare"], ["framework"], ["keyward", "0"]], (targets) => alternate(targets, { rounds, seconds: perRound }));
  const [few, many] = await withTargets([["keyward", "0"], ["keyward", "99900"]], (targets) => alternate(targets, { rounds, seconds: perRound }));
  const throughput = median(verify.map((run, i) => run.rps / bare[i].rps));
  const floor = median(framework.map((run, i) => run.rps / bare[i].rps));
  const scale = median(many.map((run, i) => run.mean / few[i].mean));
  const [b, f, v, s100, s100k] = [bare, framework, verify, few, many].map(summary);
  return [
    { row: "verify", measure: "throughput vs bare node:http (c=32)", value: `${v.rps.toFixed(0)} vs ${b.rps.toFixed(0)} req/s`, ratio: throughput, target: "≥ 0.7", pass: throughput >= 0.7, detail: { verify, bare } },
    { row: "verify", measure: "latency p50 / p99 (c=32)", value: `${v.p50} / ${v.p99} ms (bare ${b.p50} / ${b.p99} ms)`, ratio: v.p99 / Math.max(b.p99, 1), target: "p99 ≤ 5 ms", pass: v.p99 <= 5 },
    { row: "context", measure: "fastify constant 200 vs bare node:http (c=32)", value: `${f.rps.toFixed(0)} vs ${b.rps.toFixed(0)} req/s`, ratio: floor, target: "(framework floor)", pass: true, detail: { framework } },
    { row: "scale", measure: "mean verify latency, 100,000 vs 100 keys", value: `${s100k.mean.toFixed(2)} vs ${s100.mean.toFixed(2)} ms (p99 ${s100k.p99} vs ${s100.p99})`, ratio: scale, target: "≤ 1.2", pass: scale <= 1.2, detail: { many, few } },
  ];
}
