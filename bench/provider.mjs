// SPEC §8 provider rows (issue 3 acceptance 7): launch to handshake vs a bare `node -e`, and
// `terraform plan` of 200 keys vs 200 terraform_data. Measured in packages/provider/bench/.
import { measureHandshake } from "../packages/provider/bench/handshake.mjs";
import { measurePlan } from "../packages/provider/bench/plan.mjs";

export async function run() {
  const handshake = await measureHandshake({ runs: 21 });
  const plan = await measurePlan({ count: 200, runs: 3 });
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
  ];
}
