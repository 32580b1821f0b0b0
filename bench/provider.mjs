// SPEC §8 provider rows (issue 3 acceptance 7): launch to handshake vs a bare `node -e`, and
// `terraform plan` of 200 keys vs 200 terraform_data. Measured in packages/provider/bench/.
import { measureHandshake } from "../packages/provider/bench/handshake.mjs";
import { measurePlan } from "../packages/provider/bench/plan.mjs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { singleExecutable } from "../scripts/release-artifacts.mjs";

/** The released form: the provider as a Node single executable (`npm run release:artifacts`). */
async function measureSingleExecutable() {
  const work = await mkdtemp(join(tmpdir(), "keyward-bench-sea-"));
  try {
    const executable = join(work, "terraform-provider-keyward");
    await singleExecutable(work, executable);
    return { ...(await measureHandshake({ executable, runs: 21 })), bytes: (await stat(executable)).size };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export async function run() {
  const handshake = await measureHandshake({ runs: 21 });
  const plan = await measurePlan({ count: 200, runs: 3 });
  const sea = await measureSingleExecutable();
  return [
    {
      row: "provider",
      measure: "launch to handshake vs bare node -e (median of 21)",
      value: `${handshake.providerMs.toFixed(0)} vs ${handshake.bareMs.toFixed(0)} ms`,
      ratio: handshake.ratio,
      target: "≤ 1.3",
      pass: handshake.ratio <= 1.3,
      detail: handshake,
    },
    {
      row: "provider",
      measure: "terraform plan, 200 keys vs 200 terraform_data (refresh after apply)",
      value: `${plan.keysMs.toFixed(0)} vs ${plan.dataMs.toFixed(0)} ms`,
      ratio: plan.ratio,
      target: "≤ 3",
      pass: plan.ratio <= 3,
      detail: plan,
    },
    {
      row: "provider",
      measure: "single executable (release zip) launch to handshake vs bare node -e (median of 21)",
      value: `${sea.providerMs.toFixed(0)} vs ${sea.bareMs.toFixed(0)} ms, ${(sea.bytes / 1e6).toFixed(0)} MB`,
      ratio: sea.ratio,
      target: "≤ 1.3",
      pass: sea.ratio <= 1.3,
      detail: sea,
    },
  ];
}
