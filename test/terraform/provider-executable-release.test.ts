import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, open, readdir, readFile, realpath, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Keyward, NotFoundError } from "@keyward/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { version } from "../../packages/provider/package.json";
import { startKeyward } from "../../packages/server/src/index";
import { findSecrets } from "./secret-forms";
import { terraformPath, type TerraformResult } from "./terraform-cli";
import { PLATFORM } from "./terraform-workspace";

/**
 * The provider as released ("installable for real"): `npm run release:artifacts` builds a single
 * executable, zipped in the registry layout; `keyward provider install --from` puts the zip in a
 * packed filesystem mirror; then terraform, in an environment emptied with `env -i` whose PATH
 * holds terraform and no node, runs examples/terraform from init to destroy against a real service.
 */
const root = fileURLToPath(new URL("../..", import.meta.url));
const example = join(root, "examples/terraform");
const NAME = "terraform-provider-keyward";
const zipName = `${NAME}_${version}_${PLATFORM}.zip`;

let service: { url: string; rootToken: string; close(): Promise<void> };
let keyward: Keyward;
let temp: string;
let release: string;
let mirror: string;
let work: string;
let environment: string[];
const transcript: string[] = [];

function run(command: string, args: readonly string[], cwd = root): Promise<TerraformResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ exitCode: code ?? 1, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }));
  });
}

/**
 * `env -i NAME=value… command…`: nothing of this process's environment reaches the command. Async:
 * the key service answers terraform's provider from this process's event loop.
 */
async function runBare(command: readonly string[], expectExit: readonly number[] = [0]): Promise<TerraformResult> {
  const outcome = await run("/usr/bin/env", ["-i", ...environment, ...command], work);
  transcript.push(`$ ${command.join(" ")}\n${outcome.stdout}\n${outcome.stderr}`);
  if (!expectExit.includes(outcome.exitCode)) {
    throw new Error(`${command.join(" ")} exited ${outcome.exitCode} (expected ${expectExit.join(" or ")})\n--- stdout\n${outcome.stdout}\n--- stderr\n${outcome.stderr}`);
  }
  return outcome;
}

const terraform = (args: readonly string[], expectExit?: readonly number[]) => runBare(["terraform", ...args, "-no-color", "-input=false"], expectExit);

beforeAll(async () => {
  terraformPath();
  temp = await mkdtemp(join(tmpdir(), "keyward-release-test-"));
  release = join(temp, "release");
  mirror = join(temp, "mirror");
  work = join(temp, "work");
  const bin = join(temp, "bin");
  await Promise.all([mkdir(work), mkdir(bin)]);
  const built = await Promise.all([startKeyward(), run(process.execPath, [join(root, "scripts/release-artifacts.mjs"), "--out", release, "--no-packages"])]);
  service = built[0];
  if (built[1].exitCode !== 0) throw new Error(`release-artifacts exited ${built[1].exitCode}\n${built[1].stderr}`);
  keyward = new Keyward({ url: service.url, token: service.rootToken });
  // The installed server's CLI, run with node before the node-less part.
  const installed = await run(process.execPath, [join(root, "packages/server/bin/keyward.js"), "provider", "install", "--from", release, "--dir", mirror]);
  if (installed.exitCode !== 0) throw new Error(`keyward provider install exited ${installed.exitCode}\n${installed.stderr}`);
  const which = spawnSync("/bin/sh", ["-c", "command -v terraform"], { encoding: "utf8" });
  await symlink(await realpath(which.stdout.trim()), join(bin, "terraform"));
  const cliConfig = join(temp, "terraform.rc");
  await writeFile(cliConfig, `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/keyward/*"]\n  }\n}\n`);
  for (const file of await readdir(example)) if (file.endsWith(".tf")) await copyFile(join(example, file), join(work, file));
  // This machine has node in /usr/bin and /bin, so PATH is the directory holding terraform alone.
  environment = [
    `PATH=${bin}`,
    `HOME=${temp}`,
    `TF_CLI_CONFIG_FILE=${cliConfig}`,
    "TF_IN_AUTOMATION=1",
    "CHECKPOINT_DISABLE=1",
    `KEYWARD_URL=${service.url}`,
    `KEYWARD_TOKEN=${service.rootToken}`,
  ];
}, 300_000);

afterAll(async () => {
  await service?.close();
  if (temp) await rm(temp, { recursive: true, force: true });
});

describe("the release files", () => {
  it("are a zip for this platform, a SHA256SUMS listing it and the manifest, and a manifest of protocol 6.0", async () => {
    expect((await readdir(release)).sort()).toEqual([`${NAME}_${version}_SHA256SUMS`, zipName, `${NAME}_${version}_manifest.json`].sort());
    const sums = await readFile(join(release, `${NAME}_${version}_SHA256SUMS`), "utf8");
    const zipHash = createHash("sha256").update(await readFile(join(release, zipName))).digest("hex");
    expect(sums).toContain(`${zipHash}  ${zipName}\n`);
    expect(JSON.parse(await readFile(join(release, `${NAME}_${version}_manifest.json`), "utf8"))).toEqual({ version: 1, metadata: { protocol_versions: ["6.0"] } });
  });

  it("are installed by `keyward provider install --from` into the packed mirror layout", async () => {
    expect(await readdir(join(mirror, "registry.terraform.io", "keyward", "keyward"))).toEqual([zipName]);
  });
});

describe("examples/terraform with the released executable and no node on PATH", () => {
  const secrets: Record<string, string> = {};

  it("has no node on the PATH terraform runs with", async () => {
    const terraformFound = await runBare(["/bin/sh", "-c", "command -v terraform"]);
    expect(terraformFound.stdout.trim()).toMatch(/\/bin\/terraform$/);
    const nodeFound = await runBare(["/bin/sh", "-c", "command -v node"], [1, 127]);
    expect(nodeFound.stdout).toBe("");
  });

  it("inits from the mirror: terraform unpacks an executable (0755, not a script) and locks its hash", async () => {
    await terraform(["init"]);
    const unpacked = join(work, ".terraform/providers/registry.terraform.io/keyward/keyward", version, PLATFORM, `${NAME}_v${version}`);
    expect((await stat(unpacked)).mode & 0o777).toBe(0o755);
    const file = await open(unpacked);
    const head = Buffer.alloc(4);
    await file.read(head, 0, 4, 0);
    await file.close();
    expect(head.toString("latin1")).not.toMatch(/^#!/);
    if (process.platform === "linux") expect(head.toString("latin1")).toBe("\x7fELF");
    // From a filesystem mirror Terraform locks the unpacked contents' hash (h1:); zh: comes from registries only.
    expect(await readFile(join(work, ".terraform.lock.hcl"), "utf8")).toMatch(/provider "registry\.terraform\.io\/keyward\/keyward" \{\n\s+version\s+= "0\.1\.0"[^}]*"h1:/);
  });

  it("plans the project, its scope and its key", async () => {
    const plan = await terraform(["plan", "-detailed-exitcode"], [2]);
    expect(plan.stdout).toContain("Plan: 3 to add, 0 to change, 0 to destroy.");
  });

  it("applies them, and the key's secret verifies", async () => {
    const applied = await terraform(["apply", "-auto-approve"]);
    expect(applied.stdout).toContain("3 added, 0 changed, 0 destroyed");
    const state = JSON.parse(await readFile(join(work, "terraform.tfstate"), "utf8")) as { outputs: Record<string, { value: unknown }> };
    secrets.key = state.outputs.key_secret?.value as string;
    expect(secrets.key).toMatch(/^kw_live_/);
    expect((await keyward.verify({ key: secrets.key, ip: "10.1.2.3" })).code).toBe("VALID");
    expect((await terraform(["plan", "-detailed-exitcode"])).exitCode).toBe(0);
  });

  it("destroys them, leaving no key behind", async () => {
    const destroyed = await terraform(["destroy", "-auto-approve"]);
    expect(destroyed.stdout).toContain("Destroy complete! Resources: 3 destroyed.");
    const keys = await keyward.keys
      .list({ project: "billing-terraform" })
      .toArray()
      .catch((error: unknown) => {
        if (error instanceof NotFoundError) return [];
        throw error;
      });
    expect(keys).toEqual([]);
    expect((await keyward.verify({ key: secrets.key!, ip: "10.1.2.3" })).valid).toBe(false);
  });

  it("never shows the secret or the token in any of it", () => {
    expect(findSecrets({ ...secrets, token: service.rootToken }, transcript.join("\n"))).toEqual([]);
  });
});
