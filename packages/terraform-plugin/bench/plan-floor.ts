// The floor of the plan row (issue 14): `terraform plan` of N resources of the smallest provider
// this framework can serve (one required and one computed attribute, read answers the state as it
// is, no I/O), and of a provider with keyward_api_key's schema shape but the same no-I/O answers,
// against N terraform_data, in alternated rounds. Per provider: median wall, ratio to
// terraform_data, and CPU split into Terraform's own and the provider's (all launches).
// `npx tsx packages/terraform-plugin/bench/plan-floor.ts [count] [rounds]`. Needs terraform on PATH.
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as esbuild from "esbuild";

const run = promisify(execFile);
/** With PLAN_FLOOR_PROFILE=DIR, each provider runs under \`node --cpu-prof\` (profiles in DIR/NAME/). */
const profileArguments = (name: string) => (process.env.PLAN_FLOOR_PROFILE ? ` --cpu-prof --cpu-prof-dir=${JSON.stringify(join(process.env.PLAN_FLOOR_PROFILE, name))}` : "");
const here = fileURLToPath(new URL(".", import.meta.url));
const count = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 5);

/** CPU of this process's waited-for children (user + system), in ms. */
function childrenCpuMs(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

const floorSource = `
import { cty, servePlugin } from "../src/index";
const item = {
  typeName: "floor_item",
  schema: { description: "x", attributes: { id: { type: cty.string, computed: true, description: "id" }, input: { type: cty.string, required: true, description: "input" } } },
  async create(_c, { planned }) { return { ...planned, id: planned.input }; },
  async read(_c, state) { return state; },
  async update(_c, { planned }) { return planned; },
  async delete() {},
};
void servePlugin(async () => ({ name: "floor", version: "0.0.1", schema: { attributes: {} }, async configure() { return {}; }, resources: [item], dataSources: [] }));
`;

// keyward_api_key's shape: 22 attributes (7 computed, 2 nested objects, a set, a list, 2 maps, a
// write-only, 2 sensitive), a nested list block; answers without I/O. `omit` names parts to leave
// out, to see what each costs Terraform.
const wideSource = (omit: string[]) => `
import { cty, servePlugin } from "../src/index";
const omit = new Set(${JSON.stringify(omit)});
const s = (extra = {}) => ({ type: cty.string, description: "d", ...extra });
const attributes = {
  id: s({ computed: true }), project: s({ required: true, requiresReplace: true }), environment: s({ required: true, requiresReplace: true }),
  name: s({ required: true }), scopes: { type: cty.set(cty.string), required: true, description: "d" }, expires_at: s({ optional: true }),
  rotation: { optional: true, description: "d", attributes: { every: s({ required: true }), grace_period: s({ required: true }), grace_starts: s({ optional: true }) } },
  ip_allowlist: { type: cty.list(cty.string), optional: true, description: "d" },
  rate_limit: { optional: true, description: "d", attributes: { requests: { type: cty.number, required: true, description: "d" }, window: s({ required: true }) } },
  metadata: { type: cty.map(cty.string), optional: true, description: "d" }, rotation_triggers: { type: cty.map(cty.string), optional: true, description: "d" },
  secret_wo: s({ optional: true, writeOnly: true, sensitive: true }), secret_wo_version: { type: cty.number, optional: true, description: "d" },
  version: { type: cty.number, computed: true, description: "d" }, hint: s({ computed: true }), status: s({ computed: true }), created_at: s({ computed: true }),
  rotated_at: s({ computed: true }), next_rotation_at: s({ computed: true }), rotation_due: { type: cty.bool, computed: true, description: "d" },
  secret: s({ computed: true, sensitive: true }),
};
if (omit.has("nested")) { delete attributes.rotation; delete attributes.rate_limit; }
if (omit.has("writeonly")) { delete attributes.secret_wo; }
if (omit.has("sensitive")) { delete attributes.secret_wo; attributes.secret = s({ computed: true }); }
if (omit.has("collections")) { attributes.scopes = s({ required: true }); delete attributes.ip_allowlist; delete attributes.metadata; delete attributes.rotation_triggers; }
const destination = { attributes: { github_repository: s({ optional: true }), secret_name: s({ required: true }), environment: s({ optional: true }) } };
const item = {
  typeName: "floor_item",
  schema: { description: "x", attributes, blocks: omit.has("block") ? {} : { destination: { nesting: "list", block: destination, maxItems: 20 } } },
  async create(_c, { planned }) {
    const applied = { ...planned, id: "key_" + planned.name, version: 1, hint: "kw_test_…abcd", status: "active", created_at: "2026-12-01T00:00:00Z", rotated_at: null, next_rotation_at: null, rotation_due: false, secret: "kw_test_" + "x".repeat(40) };
    if ("secret_wo" in attributes) applied.secret_wo = null;
    return applied;
  },
  async read(_c, state) { return state; },
  async update(_c, { planned }) { return planned; },
  async delete() {},
};
void servePlugin(async () => ({ name: "floor", version: "0.0.1", schema: { attributes: {} }, async configure() { return {}; }, resources: [item], dataSources: [] }));
`;

const providers: Record<string, { source: string; resource: string }> = {
  floor: { source: floorSource, resource: `resource "floor_item" "r" {\n  count = ${count}\n  input = "value-\${count.index}"\n}\n` },
};
const variants = (process.argv[4] ?? "wide").split(",");
for (const variant of variants) {
  const omit = variant.split("-").slice(1);
  const scopes = omit.includes("collections") ? `"bench:run"` : `["bench:run"]`;
  providers[variant] = {
    source: wideSource(omit),
    resource: `resource "floor_item" "r" {\n  count       = ${count}\n  project     = "bench-api"\n  environment = "test"\n  name        = "key-\${count.index}"\n  scopes      = ${scopes}\n}\n`,
  };
}

async function terraform(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = process.hrtime.bigint();
  await run("terraform", args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const base = await mkdtemp(join(tmpdir(), "keyward-plan-floor-"));
try {
  const mirror = join(base, "mirror");
  const env: NodeJS.ProcessEnv = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: join(base, "terraform.rc") };
  delete env.TF_LOG;
  await writeFile(env.TF_CLI_CONFIG_FILE!, `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/bench/*"]\n  }\n}\n`);
  const spaces: Record<string, { dir: string; log: string }> = {};
  for (const [name, { source, resource }] of Object.entries(providers)) {
    const real = join(base, `provider-${name}.cjs`);
    await esbuild.build({ stdin: { contents: source, resolveDir: here, loader: "ts" }, bundle: true, platform: "node", format: "cjs", target: "node20", minify: true, outfile: real, logLevel: "warning", banner: { js: "#!/usr/bin/env node" } });
    const log = join(base, `times-${name}.log`);
    const installed = join(mirror, "registry.terraform.io", "bench", name, "0.0.1", "linux_amd64", `terraform-provider-${name}_v0.0.1`);
    await mkdir(join(installed, ".."), { recursive: true });
    // The shell's `times` after the provider exits: its own times, then its children's (the provider's).
    await writeFile(installed, `#!/bin/sh\n${JSON.stringify(process.execPath)}${profileArguments(name)} ${JSON.stringify(real)} "$@"\nstatus=$?\ntimes >> ${JSON.stringify(log)}\nexit $status\n`);
    await chmod(installed, 0o755);
    const dir = join(base, name);
    await mkdir(dir);
    await writeFile(join(dir, "main.tf"), `terraform {\n  required_providers {\n    floor = { source = "bench/${name}" }\n  }\n}\n${resource}`);
    await terraform(dir, ["init", "-input=false"], env);
    await terraform(dir, ["apply", "-auto-approve", "-input=false", "-parallelism=10"], env);
    spaces[name] = { dir, log };
  }
  const data = join(base, "data");
  await mkdir(data);
  await writeFile(join(data, "main.tf"), `resource "terraform_data" "d" {\n  count = ${count}\n  input = "value-\${count.index}"\n}\n`);
  await terraform(data, ["init", "-input=false"], env);
  await terraform(data, ["apply", "-auto-approve", "-input=false"], env);

  const seconds = (text: string) => [...text.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, [, minutes, rest]) => sum + Number(minutes) * 60 + Number(rest), 0);
  const samples: Record<string, { wallMs: number; terraformCpuMs: number; providerCpuMs: number; launches: number }[]> = { terraform_data: [] };
  for (const name of Object.keys(spaces)) samples[name] = [];
  const launchCpu: Record<string, string> = {};
  console.log(`load average before: ${loadavg().map((value) => value.toFixed(2)).join(" ")}`);
  for (let round = 0; round < rounds; round++) {
    const names = round % 2 === 0 ? ["terraform_data", ...Object.keys(spaces)] : [...Object.keys(spaces)].reverse().concat("terraform_data");
    for (const name of names) {
      const start = childrenCpuMs();
      if (name === "terraform_data") {
        const wallMs = await terraform(data, ["plan", "-input=false", "-lock=false"], env);
        samples[name]!.push({ wallMs, terraformCpuMs: childrenCpuMs() - start, providerCpuMs: 0, launches: 0 });
        continue;
      }
      const { dir, log } = spaces[name]!;
      await rm(log, { force: true });
      const wallMs = await terraform(dir, ["plan", "-input=false", "-lock=false"], env);
      const total = childrenCpuMs() - start;
      const launches = (await readFile(log, "utf8")).trim().split("\n").filter((_, index) => index % 2 === 1);
      const providerCpuMs = Math.round(launches.reduce((sum, line) => sum + seconds(line), 0) * 1000);
      samples[name]!.push({ wallMs, terraformCpuMs: total - providerCpuMs, providerCpuMs, launches: launches.length });
      launchCpu[name] = launches.map((line) => Math.round(seconds(line) * 1000)).join(" / ");
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const dataWall = median(samples.terraform_data!.map((sample) => sample.wallMs));
  console.log(`plan of ${count}, medians of ${rounds} alternated rounds; load average after: ${loadavg().map((value) => value.toFixed(2)).join(" ")}`);
  for (const [name, list] of Object.entries(samples)) {
    const wall = median(list.map((sample) => sample.wallMs));
    console.log(
      `${name}: wall ${wall.toFixed(0)} ms (ratio ${(wall / dataWall).toFixed(2)}×), CPU terraform ${median(list.map((sample) => sample.terraformCpuMs)).toFixed(0)} ms + provider ${median(list.map((sample) => sample.providerCpuMs))} ms, ${list[0]!.launches} launches (${launchCpu[name] ?? ""} ms)`,
    );
  }
} finally {
  // PLAN_FLOOR_KEEP=1 leaves the workspaces for a look (e.g. \`perf record\` of one plan).
  if (process.env.PLAN_FLOOR_KEEP) console.log(`workspaces kept in ${base}`);
  else await rm(base, { recursive: true, force: true });
}
