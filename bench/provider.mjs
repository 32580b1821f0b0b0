// SPEC §16 provider rows (issue 14): launch to handshake and to the first answer (GetProviderSchema,
// the first call of every Terraform command) vs a bare `node -e`, for the executable `npm run build`
// makes and for the single executable of the release zip; and `terraform plan` of 200 keys vs 200
// terraform_data. Measured in packages/provider/bench/.
import { measureLaunch } from "../packages/provider/bench/launch.mjs";
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
    return { ...(await measureLaunch({ executable, runs: 21 })), bytes: (await stat(executable)).size };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function launchRows(form, launch, extra = "") {
  return [
    {
      row: "provider",
      measure: `${form} launch to handshake vs bare node -e (median of ${launch.runs})`,
      value: `${launch.handshakeMs.toFixed(0)} vs ${launch.bareMs.toFixed(0)} ms${extra}`,
      ratio: launch.handshakeRatio,
      target: "≤ 1.3",
      pass: launch.handshakeRatio <= 1.3,
      detail: launch,
    },
    {
      row: "provider",
      measure: `${form} launch to first answer (GetProviderSchema) vs bare node -e (median of ${launch.runs})`,
      value: `${launch.firstAnswerMs.toFixed(0)} vs ${launch.bareMs.toFixed(0)} ms${extra}`,
      ratio: launch.firstAnswerRatio,
      target: "≤ 1.5",
      pass: launch.firstAnswerRatio <= 1.5,
      detail: launch,
    },
  ];
}

export async function run() {
  const launch = await measureLaunch({ runs: 21 });
  const plan = await measurePlan({ count: 200, runs: 3 });
  const sea = await measureSingleExecutable();
  return [
    ...launchRows("executable", launch),
    {
      row: "provider",
      measure: "terraform plan, 200 keys vs 200 terraform_data (refresh after apply)",
      // Where a plan's CPU goes: Terraform's own (all of it for terraform_data) and the provider's.
      value: `${plan.keysMs.toFixed(0)} vs ${plan.dataMs.toFixed(0)} ms${plan.cpu ? `; CPU terraform ${plan.cpu.terraformCpuMs.toFixed(0)} + provider ${plan.cpu.providerCpuMs.toFixed(0)} ms vs ${plan.cpu.dataTerraformCpuMs?.toFixed(0)} ms` : ""}`,
      ratio: plan.ratio,
      target: "≤ 3",
      pass: plan.ratio <= 3,
      detail: plan,
    },
    ...launchRows("single executable (release zip)", sea, `, ${(sea.bytes / 1e6).toFixed(0)} MB`),
  ];
}
