import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * SPEC §17: every package works when installed from its packed tarball, with npm's default layout
 * and with the isolated one (`--install-strategy=linked`, where an undeclared import fails). Three
 * consumer projects share the installs: a default one (server, SDK, provider, @keyward/cdktf on
 * CDKTF 0.21), a linked one (server, SDK, plugin framework, @keyward/cdktn on CDK Terrain) and a
 * linked one with @keyward/cdktf on CDKTF 0.20. Third-party packages come from npm's cache where it
 * has them (`--prefer-offline`).
 */
const root = fileURLToPath(new URL("../..", import.meta.url));
const PACKAGES = ["contract", "client", "github-secrets", "server", "terraform-plugin", "provider", "cdktf", "cdktn"] as const;
type PackageName = (typeof PACKAGES)[number];

let work: string;
const tarballs = {} as Record<PackageName, string>;
const consumers = {} as Record<"default" | "linked" | "cdktf020", string>;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function runOk(command: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<Run> {
  const result = await run(command, args, cwd, env);
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result;
}

/** A consumer project depending on the given tarballs (overrides keep npm from the registry for them) and registry packages. */
async function consumer(name: string, ours: readonly PackageName[], theirs: Record<string, string>, layout: "hoisted" | "linked"): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  const local = Object.fromEntries(ours.map((pkg) => [`@keyward/${pkg}`, `file:${tarballs[pkg]}`]));
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: `consumer-${name}`, private: true, type: "module", dependencies: { ...local, ...theirs }, overrides: local }, null, 2));
  await runOk("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", `--install-strategy=${layout}`], dir);
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "keyward-packages-"));
  await runOk(process.execPath, ["scripts/build.mjs", "--except", "action"], root);
  const packs = join(work, "packs");
  await mkdir(packs);
  await runOk("npm", ["pack", "--silent", "--pack-destination", packs, ...PACKAGES.flatMap((pkg) => ["-w", `packages/${pkg}`])], root);
  for (const pkg of PACKAGES) tarballs[pkg] = join(packs, `keyward-${pkg}-0.1.0.tgz`);
  const [hoisted, linked, cdktf020] = await Promise.all([
    consumer("default", ["contract", "client", "github-secrets", "server", "provider", "cdktf"], { cdktf: "0.21.0", constructs: "10.7.0" }, "hoisted"),
    consumer("linked", ["contract", "client", "github-secrets", "server", "terraform-plugin", "cdktn"], { cdktn: "0.24.0", constructs: "10.7.0" }, "linked"),
    consumer("cdktf020", ["contract", "cdktf"], { cdktf: "0.20.12", constructs: "10.4.2" }, "linked"),
  ]);
  Object.assign(consumers, { default: hoisted, linked, cdktf020 });
}, 480_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** `keyward serve` from a consumer's node_modules/.bin, on a fresh data directory; the root token is its first stdout line. */
async function serve(dir: string): Promise<{ url: string; token: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(join(dir, "node_modules/.bin/keyward"), ["serve", "--data-dir", join(dir, ".keyward"), "--host", "127.0.0.1", "--port", String(port)], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const token = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      if (stdout.includes("\n")) resolve(stdout.split("\n")[0]!);
    });
    child.on("exit", (code) => reject(new Error(`keyward serve exited ${code}:\n${stderr}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const ready = await fetch(`${url}/healthz`).then((response) => response.ok, () => false);
    if (ready) return { url, token, child };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error(`keyward serve did not answer /healthz:\n${stderr}`);
}

const sdkScript = `
import { Keyward } from "@keyward/client";
import { Secret } from "@keyward/contract";
// A Secret made with @keyward/contract: the client must accept it (one contract, one Secret class).
const keyward = new Keyward({ url: process.env.KEYWARD_URL, token: new Secret(process.env.KEYWARD_TOKEN) });
await keyward.projects.create({ name: "billing-api" });
await keyward.scopes.put("billing-api", "invoices:read", {});
const { key, secret } = await keyward.keys.create({ project: "billing-api", environment: "test", name: "dashboard", scopes: ["invoices:read"] });
if (!(secret instanceof Secret)) throw new Error("keys.create returned a secret of another Secret class");
const check = await keyward.verify({ key: secret, scopes: ["invoices:read"] });
// The in-process verifier (SPEC §16) from the packed SDK: snapshot, change stream, local answer.
const verifier = await keyward.verifier({ project: "billing-api", environment: "test", onStale: "fail-closed" });
const local = verifier.verifySync(secret, { scopes: ["invoices:read"] });
await verifier.close();
console.log(JSON.stringify({ id: key.id, valid: check.valid, local: local.code }));
`;

describe.each(["default", "linked"] as const)("the packed server and SDK, %s layout", (layout) => {
  it("keyward serve answers the installed SDK, which takes a Secret from @keyward/contract", async () => {
    const dir = consumers[layout];
    const server = await serve(dir);
    try {
      await writeFile(join(dir, "sdk-check.mjs"), sdkScript);
      const result = await runOk(process.execPath, ["sdk-check.mjs"], dir, { ...process.env, KEYWARD_URL: server.url, KEYWARD_TOKEN: server.token });
      expect(JSON.parse(result.stdout)).toMatchObject({ id: expect.stringMatching(/^key_/), valid: true, local: "VALID" });
    } finally {
      server.child.kill();
    }
  });
});

describe("keyward provider install from the packed server", () => {
  it("finds a separately installed @keyward/provider and installs its executable", async () => {
    const dir = consumers.default;
    const result = await runOk(join(dir, "node_modules/.bin/keyward"), ["provider", "install", "--dir", join(dir, "plugins")], dir);
    const path = result.stdout.trim();
    expect(path).toMatch(/registry\.terraform\.io\/keyward\/keyward\/0\.1\.0\/linux_(amd64|arm64)\/terraform-provider-keyward_v0\.1\.0$/);
    expect(statSync(path).mode & 0o111).toBe(0o111);
  });

  it("without the provider package, says how to get it", async () => {
    const dir = consumers.linked;
    const result = await run(join(dir, "node_modules/.bin/keyward"), ["provider", "install", "--dir", join(dir, "plugins")], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("`npm install @keyward/provider`");
    expect(result.stderr).toContain("--from DIR");
  });
});

/** The packages npm installed for one package (its dependency closure), resolved as Node does in the default layout. */
function closure(nodeModules: string, name: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (dir: string) => {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    if (found.has(`${manifest.name}@${dir}`)) return;
    found.set(`${manifest.name}@${dir}`, dir);
    for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      const project = join(nodeModules, "..");
      let target: string | undefined;
      for (let base = dir; base.startsWith(project); base = join(base, "..")) {
        const candidate = join(base, "node_modules", dependency);
        if (existsSync(join(candidate, "package.json"))) {
          target = candidate;
          break;
        }
        if (base === project) break;
      }
      if (target) visit(target);
    }
  };
  visit(join(nodeModules, name));
  return found;
}

function sizeOf(dir: string, seen = new Set<string>()): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === "node_modules" || seen.has(path)) continue;
      seen.add(path);
      total += sizeOf(path, seen);
    } else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

describe("what installing each package pulls in", () => {
  it("installing the server pulls no cdktf, constructs or gRPC; each package's size and dependency count", () => {
    const nodeModules = join(consumers.default, "node_modules");
    const rows = [];
    for (const pkg of ["contract", "client", "server", "provider", "cdktf"]) {
      const packages = closure(nodeModules, `@keyward/${pkg}`);
      const names = [...packages.keys()].map((key) => key.slice(0, key.lastIndexOf("@")));
      const bytes = [...packages.values()].reduce((sum, dir) => sum + sizeOf(dir), 0);
      rows.push({ package: `@keyward/${pkg}`, dependencies: names.length - 1, installedMB: Number((bytes / 1e6).toFixed(1)) });
      if (pkg === "server") {
        expect(names).toContain("fastify");
        expect(names.filter((name) => ["cdktf", "constructs", "@grpc/grpc-js", "@keyward/provider", "@keyward/cdktf"].includes(name))).toEqual([]);
      }
    }
    // SPEC §17's question "what does a user download": printed for the report, asserted only above.
    console.table(rows);
  });
});

const typeConsumer = (cdk: "cdktf" | "cdktn") => `
import { Keyward, type ApiKey } from "@keyward/client";
import { Secret, parseDuration } from "@keyward/contract";
import { startKeyward } from "@keyward/server";
${cdk === "cdktf" ? 'import { PROVIDER_EXECUTABLE } from "@keyward/provider";' : 'import { cty, type ProviderDefinition } from "@keyward/terraform-plugin";'}
import { App, TerraformStack } from "${cdk}";
import { Duration, KeywardProject, provider, Rotation } from "@keyward/${cdk}";

const keyward: Keyward = new Keyward({ url: "http://127.0.0.1:8787", token: new Secret("kwm_x") });
const ms: number | undefined = parseDuration("30d");
const key: ApiKey | undefined = undefined;
// @ts-expect-error the types are real, not any: a number is no token
new Keyward({ url: "http://127.0.0.1:8787", token: 42 });
void startKeyward;
${cdk === "cdktf" ? "const executable: string = PROVIDER_EXECUTABLE;" : 'const definition: Partial<ProviderDefinition<unknown>> = {}; const t = cty.string;'}
const app = new App();
const stack = new TerraformStack(app, "s");
new provider.KeywardProvider(stack, "keyward", {});
new KeywardProject(stack, "P", { name: "p", scopes: { "a:read": "A" }, keys: { K: { environment: "live", name: "k", scopes: ["a:read"], rotation: Rotation.every(Duration.days(30)) } } });
// @ts-expect-error the construct's props are typed
new KeywardProject(stack, "Q", { name: 1 });
export { keyward, ms, key };
`;

async function typeCheck(dir: string, resolution: "nodenext" | "bundler", cdk: "cdktf" | "cdktn"): Promise<Run> {
  await writeFile(join(dir, `consumer-${resolution}.ts`), typeConsumer(cdk));
  const compilerOptions = {
    strict: true,
    noEmit: true,
    target: "ES2022",
    module: resolution === "nodenext" ? "NodeNext" : "ESNext",
    moduleResolution: resolution === "nodenext" ? "NodeNext" : "Bundler",
    types: ["node"],
    typeRoots: [join(root, "node_modules/@types")],
    skipLibCheck: true,
  };
  await writeFile(join(dir, `tsconfig.${resolution}.json`), JSON.stringify({ compilerOptions, files: [`consumer-${resolution}.ts`] }));
  return run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", `tsconfig.${resolution}.json`], dir);
}

describe("a TypeScript consumer of the packed packages", () => {
  it.each([
    ["default", "nodenext", "cdktf"],
    ["linked", "nodenext", "cdktn"],
    ["linked", "bundler", "cdktn"],
  ] as const)("type-checks (%s layout, moduleResolution %s, %s)", async (layout, resolution, cdk) => {
    const result = await typeCheck(consumers[layout], resolution, cdk);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
  });
});

describe("the packed packages' metadata", () => {
  it.each(PACKAGES)("@keyward/%s passes @arethetypeswrong/cli and publint", async (pkg) => {
    // ESM only, by design: a CommonJS build beside it would be a second Secret class (the dual
    // package hazard), so `require()` from CommonJS resolving to ESM is the one rule not enforced.
    const attw = await run(join(root, "node_modules/.bin/attw"), [tarballs[pkg], "--ignore-rules", "cjs-resolves-to-esm", "--format", "ascii"], root);
    expect(attw.code, `${attw.stdout}${attw.stderr}`).toBe(0);
    expect(attw.stdout).toContain("node10: 🟢");
    const publint = await run(join(root, "node_modules/.bin/publint"), [`packages/${pkg}`, "--strict"], root);
    expect(publint.code, `${publint.stdout}${publint.stderr}`).toBe(0);
    expect(publint.stdout).toContain("All good!");
  });
});

const synthScript = (cdk: "cdktf" | "cdktn") => `
import { App, TerraformStack } from "${cdk}";
import { Duration, KeywardProject, provider, Rotation } from "@keyward/${cdk}";
const app = new App({ outdir: process.env.OUTDIR });
const stack = new TerraformStack(app, "billing-keys");
new provider.KeywardProvider(stack, "keyward", { endpoint: "http://127.0.0.1:8787" });
new KeywardProject(stack, "Billing", {
  name: "billing-api",
  scopes: { "invoices:read": "Read invoices" },
  keys: { Deployer: { environment: "live", name: "ci-deployer", scopes: ["invoices:read"], rotation: Rotation.every(Duration.days(30)) } },
});
app.synth();
`;

describe("a CDK app on the packed constructs (peer dependencies: the app's own core library)", () => {
  it.each([
    ["default", "cdktf", /^0\.21\./],
    ["cdktf020", "cdktf", /^0\.20\./],
    ["linked", "cdktn", /^0\.24\./],
  ] as const)("synthesizes in the %s consumer with %s", async (name, cdk, coreVersion) => {
    const dir = consumers[name];
    const outdir = join(dir, "cdktf.out");
    await writeFile(join(dir, "synth.mjs"), synthScript(cdk));
    await runOk(process.execPath, ["synth.mjs"], dir, { ...process.env, OUTDIR: outdir });
    const stack = JSON.parse(await readFile(join(outdir, "stacks/billing-keys/cdk.tf.json"), "utf8"));
    expect(stack["//"].metadata.version).toMatch(coreVersion);
    // The bindings carry the provider version: `cdktf diff`/`deploy` require it in required_providers.
    expect(stack.terraform.required_providers.keyward).toEqual({ source: "registry.terraform.io/keyward/keyward", version: "0.1.0" });
    expect(Object.keys(stack.resource).sort()).toEqual(["keyward_api_key", "keyward_project", "keyward_scope"]);
  });
});
