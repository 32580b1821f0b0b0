// `terraform plan` (with refresh) of 200 keyward_api_key vs 200 terraform_data (SPEC §8, issue 3
// acceptance 7). `node packages/provider/bench/plan.mjs [count]` after `npm run build`; or import
// `measurePlan` from bench/run.mjs. Needs terraform on PATH; talks only to 127.0.0.1.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { chmod, copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../..", import.meta.url));

async function terraform(dir, args, env) {
  const started = process.hrtime.bigint();
  await run("terraform", args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function workspace(base, name, config, env) {
  const dir = join(base, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "main.tf"), config);
  await terraform(dir, ["init", "-input=false"], env);
  await terraform(dir, ["apply", "-auto-approve", "-input=false", "-parallelism=10"], env);
  return dir;
}

/** CPU (ms) of this process's waited-for children, Terraform and its providers with it; Linux only. */
function childrenCpuMs() {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    // cutime and cstime, fields 16 and 17 of proc(5), in USER_HZ (100 on Linux).
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** The one executable file under a mirror (`…/linux_amd64/terraform-provider-keyward_v…`). */
async function mirroredExecutable(directory) {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      const found = await mirroredExecutable(path);
      if (found) return found;
    } else if (entry.name.startsWith("terraform-provider-keyward")) return path;
  }
  return undefined;
}

/**
 * Where the CPU of one plan of `keys` goes: Terraform's own and the provider's, each launch of it
 * counted by a shell wrapper (its `times` after the provider exits) in a copy of the workspace that
 * installs from a copy of the mirror. Untimed: the wrapper's shell is not in the timed runs.
 */
async function cpuSplit(base, mirror, keys, env) {
  const before = childrenCpuMs();
  if (before === undefined) return undefined;
  const measuredMirror = join(base, "mirror-measured");
  await cp(mirror, measuredMirror, { recursive: true });
  const executable = await mirroredExecutable(measuredMirror);
  const real = join(base, "provider-real");
  await copyFile(executable, real);
  await chmod(real, 0o755);
  const log = join(base, "provider-times.log");
  await writeFile(executable, `#!/bin/sh\n${JSON.stringify(real)} "$@"\nstatus=$?\ntimes >> ${JSON.stringify(log)}\nexit $status\n`);
  const cliConfig = join(base, "terraform-measured.rc");
  await writeFile(cliConfig, `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(measuredMirror)}\n    include = ["registry.terraform.io/keyward/*"]\n  }\n}\n`);
  const measuredEnv = { ...env, TF_CLI_CONFIG_FILE: cliConfig };
  const dir = join(base, "keys-measured");
  await mkdir(dir);
  for (const file of ["main.tf", "terraform.tfstate"]) await copyFile(join(keys, file), join(dir, file));
  await terraform(dir, ["init", "-input=false"], measuredEnv);
  await rm(log, { force: true });
  const start = childrenCpuMs();
  const wallMs = await terraform(dir, ["plan", "-input=false", "-lock=false"], measuredEnv);
  const totalMs = childrenCpuMs() - start;
  // `times` prints the shell's own times, then its children's: the provider's, e.g. `0m1.234s 0m0.100s`.
  const launches = (await readFile(log, "utf8")).trim().split("\n").filter((_, index) => index % 2 === 1);
  const seconds = (text) => [...text.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, [, minutes, rest]) => sum + Number(minutes) * 60 + Number(rest), 0);
  const providerLaunchMs = launches.map((line) => Math.round(seconds(line) * 1000));
  const providerMs = providerLaunchMs.reduce((sum, value) => sum + value, 0);
  return { wallMs, totalCpuMs: totalMs, terraformCpuMs: totalMs - providerMs, providerCpuMs: providerMs, providerLaunchCpuMs: providerLaunchMs };
}

export async function measurePlan({ count = 200, runs = 3 } = {}) {
  const { startKeyward } = await import(join(root, "packages/server/dist/index.js"));
  const base = await mkdtemp(join(tmpdir(), "keyward-bench-plan-"));
  const service = await startKeyward();
  try {
    const mirror = join(base, "mirror");
    await run(process.execPath, [join(root, "packages/server/bin/keyward.js"), "provider", "install", "--dir", mirror]);
    const cliConfig = join(base, "terraform.rc");
    await writeFile(cliConfig, `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/keyward/*"]\n  }\n}\n`);
    const env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", KEYWARD_URL: service.url, KEYWARD_TOKEN: service.rootToken };
    delete env.TF_LOG;
    const keys = await workspace(
      base,
      "keys",
      `terraform {\n  required_providers {\n    keyward = { source = "keyward/keyward" }\n  }\n}\nresource "keyward_project" "p" { name = "bench-api" }\nresource "keyward_scope" "s" {\n  project = keyward_project.p.name\n  name    = "bench:run"\n}\nresource "keyward_api_key" "k" {\n  count       = ${count}\n  project     = keyward_project.p.name\n  environment = "test"\n  name        = "key-\${count.index}"\n  scopes      = [keyward_scope.s.name]\n}\n`,
      env,
    );
    const data = await workspace(base, "data", `resource "terraform_data" "d" {\n  count = ${count}\n  input = "value-\${count.index}"\n}\n`, env);
    const keyTimes = [];
    const dataTimes = [];
    for (let attempt = 0; attempt < runs; attempt++) {
      dataTimes.push(await terraform(data, ["plan", "-input=false", "-lock=false"], env));
      keyTimes.push(await terraform(keys, ["plan", "-input=false", "-lock=false"], env));
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const keysMs = median(keyTimes);
    const dataMs = median(dataTimes);
    // terraform_data runs inside Terraform: all of its plan's CPU is Terraform's.
    const dataCpuStart = childrenCpuMs();
    await terraform(data, ["plan", "-input=false", "-lock=false"], env);
    const dataCpuMs = dataCpuStart === undefined ? undefined : childrenCpuMs() - dataCpuStart;
    const cpu = await cpuSplit(base, mirror, keys, env);
    return { count, runs, keysMs, dataMs, ratio: keysMs / dataMs, cpu: cpu && { ...cpu, dataTerraformCpuMs: dataCpuMs } };
  } finally {
    await service.close();
    await rm(base, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await measurePlan({ count: Number(process.argv[2] ?? 200) });
  console.log(
    `terraform plan of ${result.count} keys: ${result.keysMs.toFixed(0)} ms; of ${result.count} terraform_data: ${result.dataMs.toFixed(0)} ms; ratio ${result.ratio.toFixed(2)}× (target ≤ 3×; median of ${result.runs})`,
  );
  if (result.cpu) {
    const { terraformCpuMs, providerCpuMs, providerLaunchCpuMs, dataTerraformCpuMs } = result.cpu;
    console.log(`CPU of one plan of the keys: terraform ${terraformCpuMs.toFixed(0)} ms, provider ${providerCpuMs.toFixed(0)} ms (launches ${providerLaunchCpuMs.join(" / ")} ms); of the terraform_data plan: ${dataTerraformCpuMs?.toFixed(0)} ms`);
  }
}
