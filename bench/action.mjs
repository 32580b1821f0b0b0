// SPEC §8 "action" row: rotate 20 keys into 20 GitHub secrets with the committed action bundle,
// against the GitHub API emulator and an in-process key service; wall time and requests made.
//
//   node scripts/build.mjs && node bench/action.mjs      (prints one JSON line)
//
// `bench/run.mjs` can import `runActionBenchmark` instead. The TypeScript harness is bundled on the
// fly with esbuild; third-party and workspace packages load from node_modules (hence the build).
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

export async function runActionBenchmark(keys = 20) {
  const dir = await mkdtemp(join(root, "bench", ".action-bench-"));
  try {
    const outfile = join(dir, "rotation-benchmark.mjs");
    await esbuild.build({
      entryPoints: [join(root, "test/action/rotation-benchmark.ts")],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      logLevel: "warning",
    });
    const { benchmarkActionRotation } = await import(pathToFileURL(outfile).href);
    return await benchmarkActionRotation(keys);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The row of `npm run bench`: wall time against GitHub's write pacing, and the requests made. */
export async function run() {
  const result = await runActionBenchmark(20);
  const ratio = result.wallMs / result.writePacingFloorMs;
  return [
    {
      row: "action",
      measure: "rotate 20 keys into 20 secrets: wall time vs GitHub's write pacing (19 s)",
      value: `${(result.wallMs / 1000).toFixed(1)} s; ${result.githubRequests} GitHub + ${result.keywardRequests} key-service requests`,
      ratio,
      target: "all VALID",
      pass: result.exitCode === 0 && result.allValid,
      detail: result,
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runActionBenchmark(Number(process.argv[2] ?? 20));
  console.log(JSON.stringify({ row: "action", ...result, wallMs: Math.round(result.wallMs), wallOverPacingFloor: +(result.wallMs / result.writePacingFloorMs).toFixed(2) }));
  if (result.exitCode !== 0 || !result.allValid) process.exitCode = 1;
}
