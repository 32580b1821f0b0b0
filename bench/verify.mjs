// SPEC §8 verify and scale rows: POST /v1/verify against a bare node:http server, and with
// 100,000 vs 100 keys stored. Every figure is a ratio measured side by side in this run.
import { load, startTarget } from "./load.mjs";

async function measure(args, options) {
  const target = await startTarget(args);
  try {
    return await load(target.info, options);
  } finally {
    await target.stop();
  }
}

export async function run({ seconds = 10 } = {}) {
  const bare = await measure(["bare"], { seconds });
  const framework = await measure(["framework"], { seconds });
  const verify = await measure(["keyward", "0"], { seconds });
  const few = await measure(["keyward", "0"], { seconds });
  const many = await measure(["keyward", "99900"], { seconds });
  const throughputRatio = verify.rps / bare.rps;
  const scaleRatio = many.mean / few.mean;
  return [
    { row: "verify", measure: "throughput vs bare node:http (c=32)", value: `${verify.rps.toFixed(0)} vs ${bare.rps.toFixed(0)} req/s`, ratio: throughputRatio, target: "≥ 0.7", pass: throughputRatio >= 0.7, detail: { verify, bare } },
    { row: "verify", measure: "latency p50 / p99 (c=32)", value: `${verify.p50} / ${verify.p99} ms (bare ${bare.p50} / ${bare.p99} ms)`, ratio: verify.p99 / Math.max(bare.p99, 1), target: "p99 ≤ 5 ms", pass: verify.p99 <= 5 },
    { row: "context", measure: "fastify constant 200 vs bare node:http (c=32)", value: `${framework.rps.toFixed(0)} vs ${bare.rps.toFixed(0)} req/s`, ratio: framework.rps / bare.rps, target: "(framework floor)", pass: true, detail: { framework } },
    { row: "scale", measure: "mean verify latency, 100,000 vs 100 keys", value: `${many.mean.toFixed(2)} vs ${few.mean.toFixed(2)} ms (p99 ${many.p99} vs ${few.p99})`, ratio: scaleRatio, target: "≤ 1.2", pass: scaleRatio <= 1.2, detail: { many, few } },
  ];
}
