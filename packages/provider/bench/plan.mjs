// `terraform plan` (with refresh) of 200 keyward_api_key vs 200 terraform_data (SPEC §8, issue 3
// acceptance 7). `node packages/provider/bench/plan.mjs [count]` after `npm run build`; or import
// `measurePlan` from bench/run.mjs. Needs terraform on PATH; talks only to 127.0.0.1.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
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
    return { count, runs, keysMs, dataMs, ratio: keysMs / dataMs };
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
}
