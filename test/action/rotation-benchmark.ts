import { RotationWorld } from "./rotation-world";

/**
 * SPEC §8 "action" row: the committed bundle rotates `keys` keys into as many repository secrets
 * against the GitHub API emulator and a Keyward server; wall time and the requests it made. GitHub
 * asks integrators to send writes one at a time, a second apart (the throttling the action uses),
 * so the floor for N writes is (N - 1) s: the figure to compare the wall time with.
 */
export interface ActionBenchmarkResult {
  readonly keys: number;
  readonly wallMs: number;
  /** (keys - 1) seconds: GitHub's pacing of writes. */
  readonly writePacingFloorMs: number;
  readonly githubRequests: number;
  readonly githubRequestsByRoute: Readonly<Record<string, number>>;
  /** Requests the key service served during the run (its own request counter). */
  readonly keywardRequests: number;
  readonly exitCode: number | null;
  /** Every written secret decrypts to a secret the key service verifies as VALID. */
  readonly allValid: boolean;
}

export async function benchmarkActionRotation(keys = 20): Promise<ActionBenchmarkResult> {
  const world = await RotationWorld.open();
  try {
    await world.project("bench-api");
    const targets: string[] = [];
    for (let index = 1; index <= keys; index++) {
      const name = `bench-${String(index).padStart(2, "0")}`;
      await world.key("bench-api", name);
      targets.push(`- key: bench-api/live/${name}`, `  secret: BENCH_${String(index).padStart(2, "0")}`);
    }
    const githubBefore = world.github.requests.length;
    const keywardBefore = await keywardRequestCount(world.keywardUrl);
    const started = performance.now();
    const run = await world.run({ targets: targets.join("\n") });
    const wallMs = performance.now() - started;
    const keywardRequests = (await keywardRequestCount(world.keywardUrl)) - keywardBefore - 1;
    const requests = world.github.requests.slice(githubBefore);
    const byRoute: Record<string, number> = {};
    for (const request of requests) byRoute[request.route] = (byRoute[request.route] ?? 0) + 1;
    const values = world.github.secretNames({ kind: "repository", repository: "acme/api" }).map(
      (name) => world.github.secretValue({ kind: "repository", repository: "acme/api" }, name) as string,
    );
    const codes = await Promise.all(values.map((value) => world.verify(value)));
    return {
      keys,
      wallMs,
      writePacingFloorMs: (keys - 1) * 1000,
      githubRequests: requests.length,
      githubRequestsByRoute: byRoute,
      keywardRequests,
      exitCode: run.exitCode,
      allValid: values.length === keys && codes.every((code) => code === "VALID"),
    };
  } finally {
    await world.close();
  }
}

/** `keyward_http_requests_total` summed over routes and statuses, from `/metrics`. */
async function keywardRequestCount(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith("keyward_http_requests_total"))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}
