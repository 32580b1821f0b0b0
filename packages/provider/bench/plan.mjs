// `terraform plan` (with refresh) of 200 keyward_api_key vs 200 terraform_data (SPEC §8, issue 3
// acceptance 7). `node packages/provider/bench/plan.mjs [count]` after `npm run build`; or import
// `measurePlan` from bench/run.mjs. Needs terraform on PATH; talks only to 127.0.0.1.
import { execFile } from "node:child_process";
import { chmod, copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { childrenCpuMs } from "./launch.mjs";
import { profileFile, profileTerraformPlan } from "./terraform-profile.mjs";

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
 * A copy of the keys' workspace whose provider is `executable` (by default the mirror's own), each
 * launch of it counted by a shell wrapper (its `times` after the provider exits), installed from a
 * copy of the mirror. With `nodeArguments` (e.g. `--cpu-prof`, which NODE_OPTIONS may not carry) the
 * wrapper starts the executable with this process's node and them.
 */
async function measuredWorkspace(base, mirror, keys, env, { name = "measured", executable, nodeArguments } = {}) {
  const measuredMirror = join(base, `mirror-${name}`);
  await cp(mirror, measuredMirror, { recursive: true });
  const installed = await mirroredExecutable(measuredMirror);
  const real = join(base, `provider-${name}`);
  await copyFile(executable ?? installed, real);
  await chmod(real, 0o755);
  const log = join(base, `provider-times-${name}.log`);
  const command = nodeArguments ? [process.execPath, ...nodeArguments, real].map((word) => JSON.stringify(word)).join(" ") : JSON.stringify(real);
  await writeFile(installed, `#!/bin/sh\n${command} "$@"\nstatus=$?\ntimes >> ${JSON.stringify(log)}\nexit $status\n`);
  const cliConfig = join(base, `terraform-${name}.rc`);
  await writeFile(cliConfig, `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(measuredMirror)}\n    include = ["registry.terraform.io/keyward/*"]\n  }\n}\n`);
  // A code cache of its own: executables alternated in one run would otherwise take turns removing
  // each other's caches (a part's cache of another build is removed when a cache is written), and
  // every round would compile cold.
  const measuredEnv = { ...env, TF_CLI_CONFIG_FILE: cliConfig, KEYWARD_PROVIDER_CODE_CACHE: join(base, `code-cache-${name}`) };
  const dir = join(base, `keys-${name}`);
  await mkdir(dir);
  for (const file of ["main.tf", "terraform.tfstate"]) await copyFile(join(keys, file), join(dir, file));
  await terraform(dir, ["init", "-input=false"], measuredEnv);
  return { dir, env: measuredEnv, log };
}

/** One plan in a measured workspace: wall, and CPU split into Terraform's own and each provider launch's. */
async function measuredPlan(workspace) {
  const start = childrenCpuMs();
  if (start === undefined) return undefined;
  await rm(workspace.log, { force: true });
  const wallMs = await terraform(workspace.dir, ["plan", "-input=false", "-lock=false"], workspace.env);
  const totalMs = childrenCpuMs() - start;
  // `times` prints the shell's own times, then its children's: the provider's, e.g. `0m1.234s 0m0.100s`.
  const launches = (await readFile(workspace.log, "utf8")).trim().split("\n").filter((_, index) => index % 2 === 1);
  const seconds = (text) => [...text.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, [, minutes, rest]) => sum + Number(minutes) * 60 + Number(rest), 0);
  const providerLaunchMs = launches.map((line) => Math.round(seconds(line) * 1000));
  const providerMs = providerLaunchMs.reduce((sum, value) => sum + value, 0);
  return { wallMs, totalCpuMs: totalMs, terraformCpuMs: totalMs - providerMs, providerCpuMs: providerMs, providerLaunchCpuMs: providerLaunchMs };
}

/**
 * Where the CPU of one plan of `keys` goes: Terraform's own and the provider's. Untimed: the
 * wrapper's shell is not in the timed runs.
 */
async function cpuSplit(base, mirror, keys, env) {
  if (childrenCpuMs() === undefined) return undefined;
  return measuredPlan(await measuredWorkspace(base, mirror, keys, env));
}

/** The Keyward service, the mirror and the two applied workspaces (keys, terraform_data) the plan rows use. */
async function planWorld(count) {
  const { startKeyward } = await import(join(root, "packages/server/dist/index.js"));
  const base = await mkdtemp(join(tmpdir(), "keyward-bench-plan-"));
  const service = await startKeyward();
  const close = async () => {
    await service.close();
    await rm(base, { recursive: true, force: true });
  };
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
    return { base, mirror, env, keys, data, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * A/B of provider executables (e.g. a build before and after a change) in one run: the same applied
 * workspace planned with each, in alternated rounds, so machine noise hits both; per executable the
 * median wall, Terraform CPU and provider CPU (and per launch), and the terraform_data plan's wall
 * and CPU, measured in the same rounds. With `profileDir`, one more plan per executable runs its
 * provider under `node --cpu-prof` (profiles in `profileDir/<name>/`). With `terraformProfileDir`,
 * one more plan per executable and of the terraform_data workspace runs Terraform under `perf`
 * (summaries in `terraformProfileDir/terraform-<name>.txt`).
 */
export async function comparePlan({ executables, count = 200, rounds = 5, profileDir, terraformProfileDir } = {}) {
  const world = await planWorld(count);
  try {
    const names = Object.keys(executables);
    const spaces = {};
    for (const name of names) spaces[name] = await measuredWorkspace(world.base, world.mirror, world.keys, world.env, { name, executable: executables[name] });
    const samples = Object.fromEntries([...names, "terraform_data"].map((name) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      const dataStart = childrenCpuMs();
      const dataWallMs = await terraform(world.data, ["plan", "-input=false", "-lock=false"], world.env);
      samples.terraform_data.push({ wallMs: dataWallMs, terraformCpuMs: childrenCpuMs() - dataStart });
      const order = round % 2 === 0 ? names : [...names].reverse();
      for (const name of order) samples[name].push(await measuredPlan(spaces[name]));
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const summary = {};
    for (const [name, list] of Object.entries(samples)) {
      summary[name] = { wallMs: median(list.map((s) => s.wallMs)), terraformCpuMs: median(list.map((s) => s.terraformCpuMs)) };
      if (name !== "terraform_data") {
        summary[name].providerCpuMs = median(list.map((s) => s.providerCpuMs));
        summary[name].providerLaunchCpuMs = list[0].providerLaunchCpuMs.map((_, index) => median(list.map((s) => s.providerLaunchCpuMs[index] ?? 0)));
        summary[name].samples = list;
      }
    }
    for (const name of names) summary[name].ratio = summary[name].wallMs / summary.terraform_data.wallMs;
    if (profileDir) {
      for (const name of names) {
        const dir = join(profileDir, name);
        await mkdir(dir, { recursive: true });
        const profiled = await measuredWorkspace(world.base, world.mirror, world.keys, world.env, { name: `${name}-profiled`, executable: executables[name], nodeArguments: ["--cpu-prof", `--cpu-prof-dir=${dir}`] });
        await measuredPlan(profiled);
      }
    }
    if (terraformProfileDir) {
      await mkdir(terraformProfileDir, { recursive: true });
      await profileTerraformPlan(world.data, world.env, profileFile(terraformProfileDir, "terraform_data"));
      for (const name of names) await profileTerraformPlan(spaces[name].dir, spaces[name].env, profileFile(terraformProfileDir, name));
    }
    return { count, rounds, summary };
  } finally {
    await world.close();
  }
}

export async function measurePlan({ count = 200, runs = 3 } = {}) {
  const { base, mirror, env, keys, data, close } = await planWorld(count);
  try {
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
    await close();
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
