// A/B of provider executables on the plan row (issue 14): `node packages/provider/bench/plan-compare.mjs
// old=PATH new=PATH [--rounds N] [--count N] [--profile DIR] [--terraform-profile DIR]`, e.g. a copy of
// dist/terraform-provider-keyward.js built before a change against the one built after. Alternated
// rounds in one run; with --profile, one more plan per executable with its provider under
// `node --cpu-prof`; with --terraform-profile, one more plan each (and of terraform_data) with
// Terraform under `perf` (terraform-profile.mjs). Needs terraform on PATH and `npm run build` (the server); talks only to 127.0.0.1.
import { uptime, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { comparePlan } from "./plan.mjs";

function parse(argv) {
  const executables = {};
  const options = { rounds: 5, count: 200 };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === "--rounds") options.rounds = Number(argv[++index]);
    else if (argument === "--count") options.count = Number(argv[++index]);
    else if (argument === "--profile") options.profileDir = argv[++index];
    else if (argument === "--terraform-profile") options.terraformProfileDir = argv[++index];
    else if (argument.includes("=")) {
      const [name, path] = argument.split(/=(.*)/s);
      executables[name] = path;
    } else throw new Error(`expected NAME=PATH, --rounds N, --count N, --profile DIR or --terraform-profile DIR, got '${argument}'`);
  }
  if (Object.keys(executables).length === 0) throw new Error("name at least one executable: NAME=PATH");
  return { executables, ...options };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = parse(process.argv.slice(2));
  const load = () => loadavg().map((value) => value.toFixed(2)).join(" ");
  console.log(`load average before: ${load()} (up ${(uptime() / 3600).toFixed(1)} h)`);
  const { summary, rounds, count } = await comparePlan(options);
  console.log(`terraform plan of ${count} keys, medians of ${rounds} alternated rounds; load average after: ${load()}`);
  const data = summary.terraform_data;
  console.log(`terraform_data: wall ${data.wallMs.toFixed(0)} ms, CPU ${data.terraformCpuMs.toFixed(0)} ms`);
  for (const name of Object.keys(options.executables)) {
    const row = summary[name];
    console.log(
      `${name}: wall ${row.wallMs.toFixed(0)} ms (ratio ${row.ratio.toFixed(2)}×), CPU terraform ${row.terraformCpuMs.toFixed(0)} ms + provider ${row.providerCpuMs.toFixed(0)} ms (launches ${row.providerLaunchCpuMs.join(" / ")} ms)`,
    );
    console.log(`  per round, provider CPU: ${row.samples.map((sample) => sample.providerCpuMs).join(", ")} ms; terraform CPU: ${row.samples.map((sample) => sample.terraformCpuMs).join(", ")} ms`);
  }
}
