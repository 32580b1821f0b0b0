import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Keyward, NotFoundError, type ApiKey } from "@keyward/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultPluginDirectory, installRelease, terraformPlatform } from "../../packages/server/src/cli/provider-installation";
import { installKeywardProvider, keywardProviderExecutable } from "./keyward-provider-build";
import { startKeyward } from "../../packages/server/src/index";
import { findSecrets } from "./secret-forms";
import { KEYWARD_PROVIDER_BLOCKS, TerraformWorkspace } from "./terraform-workspace";

/**
 * terraform-provider-keyward driven by the real terraform CLI against a real key service
 * (issue 3, acceptance 1–6). One key service for the file; each describe has its own workspace.
 */
const example = fileURLToPath(new URL("../../examples/terraform", import.meta.url));
let service: { url: string; rootToken: string; close(): Promise<void> };
let keyward: Keyward;
let executable: string;
let buildDir: string;
const workspaces: TerraformWorkspace[] = [];

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), "keyward-provider-build-"));
  [service, executable] = await Promise.all([startKeyward(), keywardProviderExecutable(buildDir)]);
  keyward = new Keyward({ url: service.url, token: service.rootToken });
});

afterAll(async () => {
  await Promise.all(workspaces.map((workspace) => workspace.dispose()));
  await service?.close();
  await rm(buildDir, { recursive: true, force: true });
});

/** A workspace with the provider installed by `installKeywardProvider` into its filesystem mirror. */
async function workspaceFor(env: Record<string, string> = {}): Promise<TerraformWorkspace> {
  const workspace = await TerraformWorkspace.create({
    env: { TF_VAR_keyward_url: service.url, TF_VAR_keyward_token: service.rootToken, ...env },
  });
  workspaces.push(workspace);
  await installKeywardProvider({ dir: workspace.mirror, executable });
  return workspace;
}

const providerBlock = `${KEYWARD_PROVIDER_BLOCKS}`;

async function keysOf(project: string): Promise<ApiKey[]> {
  try {
    return await keyward.keys.list({ project }).toArray();
  } catch (error) {
    if (error instanceof NotFoundError) return [];
    throw error;
  }
}

async function verify(secret: string) {
  return keyward.verify({ key: secret, ip: "10.1.2.3" });
}

describe("the example of SPEC §6, from init to destroy (acceptance 1), with TF_LOG=trace (acceptance 5)", () => {
  let workspace: TerraformWorkspace;
  const secrets: Record<string, string> = {};
  let keyId: string;

  beforeAll(async () => {
    workspace = await workspaceFor({ TF_LOG: "trace" });
    await workspace.copyConfiguration(example);
    await workspace.init();
  });

  it("applies the example: a project, a scope and a live key whose secret verifies", async () => {
    const applied = await workspace.apply();
    expect(applied.stdout).toContain("3 added, 0 changed, 0 destroyed");
    const outputs = await workspace.outputs();
    keyId = outputs.key_id?.value as string;
    secrets.first = outputs.key_secret?.value as string;
    expect(outputs.key_secret?.sensitive).toBe(true);
    expect(outputs.key_version?.value).toBe(1);
    const key = await keyward.keys.get(keyId);
    expect(key).toMatchObject({
      project: "billing-terraform",
      environment: "live",
      name: "ci-deployer",
      scopes: ["invoices:read"],
      rotation: { every: "30d", grace_period: "24h" },
      ip_allowlist: ["10.0.0.0/8"],
      rate_limit: { requests: 100, window: "1m" },
      metadata: { team: "payments" },
    });
    expect(Date.parse(key.expires_at ?? "")).toBe(Date.parse("2027-06-30T00:00:00Z"));
    expect(secrets.first).toMatch(/^kw_live_/);
    expect((await verify(secrets.first!)).code).toBe("VALID");
  });

  it("plans no changes right after apply", async () => {
    const plan = await workspace.plan();
    expect(plan.exitCode).toBe(0);
  });

  it("updates the key in place when its scopes change", async () => {
    const main = await workspace.readFile("main.tf");
    await workspace.writeFile(
      "main.tf",
      main.replace(/scopes(\s+)= \[keyward_scope\.read\.name\]/, "scopes$1= [keyward_scope.read.name, keyward_scope.write.name]") +
        `\nresource "keyward_scope" "write" {\n  project = keyward_project.billing.name\n  name    = "invoices:write"\n}\n`,
    );
    const plan = await workspace.plan();
    expect(plan.stdout).toContain("keyward_api_key.ci will be updated in-place");
    expect(plan.stdout).toContain("Plan: 1 to add, 1 to change, 0 to destroy.");
    await workspace.apply();
    const key = await keyward.keys.get(keyId);
    expect([...key.scopes].sort()).toEqual(["invoices:read", "invoices:write"]);
    expect(key.version).toBe(1);
    expect((await workspace.plan()).exitCode).toBe(0);
  });

  it("rotates the key in place when rotation_triggers change, keeping the old secret valid for the grace period", async () => {
    const main = await workspace.readFile("main.tf");
    await workspace.writeFile("main.tf", main.replace('reason = "2026-11 incident"', 'reason = "2026-12 audit"'));
    const plan = await workspace.plan();
    expect(plan.stdout).toContain("keyward_api_key.ci will be updated in-place");
    expect(plan.stdout).toMatch(/version\s+= 1 -> \(known after apply\)/);
    await workspace.apply();
    const outputs = await workspace.outputs();
    secrets.second = outputs.key_secret?.value as string;
    expect(outputs.key_id?.value).toBe(keyId);
    expect(outputs.key_version?.value).toBe(2);
    expect(secrets.second).not.toBe(secrets.first);
    expect((await verify(secrets.second!)).code).toBe("VALID");
    expect((await verify(secrets.first!)).code).toBe("VALID");
    expect((await workspace.plan()).exitCode).toBe(0);
  });

  it("plans a replacement when the environment changes", async () => {
    const main = await workspace.readFile("main.tf");
    await workspace.writeFile("main.tf", main.replace(/environment(\s+)= "live"/, 'environment$1= "test"'));
    const plan = await workspace.plan();
    expect(plan.stdout).toContain("keyward_api_key.ci must be replaced");
    expect(plan.stdout).toMatch(/environment\s+= "live" -> "test" # forces replacement/);
    await workspace.writeFile("main.tf", main);
  });

  it("destroys everything, leaving no key behind", async () => {
    const destroyed = await workspace.destroy();
    expect(destroyed.stdout).toContain("Destroy complete! Resources: 4 destroyed.");
    expect(await keysOf("billing-terraform")).toEqual([]);
    expect((await verify(secrets.second!)).valid).toBe(false);
  });

  it("never shows a secret or the token, in any encoding, in the output or the trace log", () => {
    const everything = workspace.transcript.join("\n");
    expect(everything).toContain("[TRACE]");
    expect(everything).toContain("@module=provider");
    expect(findSecrets({ ...secrets, token: service.rootToken }, everything)).toEqual([]);
  });
});

describe("changes made outside Terraform (acceptance 2)", () => {
  let workspace: TerraformWorkspace;
  const configuration = `${providerBlock}
resource "keyward_project" "p" { name = "drift-api" }
resource "keyward_scope" "read" {
  project = keyward_project.p.name
  name    = "orders:read"
}
resource "keyward_api_key" "k" {
  project     = keyward_project.p.name
  environment = "test"
  name        = "worker"
  scopes      = [keyward_scope.read.name]
}
`;
  const stateOfKey = () => workspace.stateAttributes("keyward_api_key.k");

  beforeAll(async () => {
    workspace = await workspaceFor();
    await workspace.writeFile("main.tf", configuration);
    await workspace.init();
    await workspace.apply();
  });

  it("re-creates a key revoked through the API", async () => {
    const before = await stateOfKey();
    await keyward.keys.revoke(before?.id as string);
    const plan = await workspace.plan();
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain("keyward_api_key.k will be created");
    await workspace.apply();
    const after = await stateOfKey();
    expect(after?.id).not.toBe(before?.id);
    expect((await keyward.verify({ key: after?.secret as string })).code).toBe("VALID");
  });

  it("re-creates a key deleted through the API", async () => {
    const before = await stateOfKey();
    await keyward.keys.delete(before?.id as string);
    const plan = await workspace.plan();
    expect(plan.stdout).toContain("keyward_api_key.k will be created");
    await workspace.apply();
    expect((await stateOfKey())?.id).not.toBe(before?.id);
  });

  it("holds a null secret, not a stale one, after a rotation through the API", async () => {
    const before = await stateOfKey();
    const rotated = await keyward.keys.rotate(before?.id as string, { grace_period: "1h" });
    await workspace.run(["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    const after = await stateOfKey();
    expect(after).toMatchObject({ id: before?.id, version: 2, hint: rotated.key.hint, secret: null });
    expect((await workspace.plan()).exitCode).toBe(0);
  });
});

describe("import of existing objects (acceptance 3)", () => {
  let workspace: TerraformWorkspace;
  let key: ApiKey;

  beforeAll(async () => {
    await keyward.projects.create({ name: "imported-api", description: "Made by hand" });
    await keyward.scopes.put("imported-api", "reports:read", { description: "Read reports" });
    ({ key } = await keyward.keys.create({
      project: "imported-api",
      environment: "live",
      name: "legacy",
      scopes: ["reports:read"],
      rotation: { every: "720h", grace_period: "1h" },
      ip_allowlist: ["192.168.0.0/16", "2001:db8::/32"],
      metadata: { owner: "ops" },
    }));
    workspace = await workspaceFor();
    await workspace.writeFile(
      "main.tf",
      `${providerBlock}
resource "keyward_project" "p" {
  name        = "imported-api"
  description = "Made by hand"
}
resource "keyward_scope" "s" {
  project     = keyward_project.p.name
  name        = "reports:read"
  description = "Read reports"
}
resource "keyward_api_key" "k" {
  project      = keyward_project.p.name
  environment  = "live"
  name         = "legacy"
  scopes       = [keyward_scope.s.name]
  rotation     = { every = "720h", grace_period = "1h" }
  ip_allowlist = ["192.168.0.0/16", "2001:db8::/32"]
  metadata     = { owner = "ops" }
}
`,
    );
    await workspace.init();
  });

  it("imports a project by name and a scope by project/name with terraform import", async () => {
    expect((await workspace.run(["import", "-no-color", "keyward_project.p", "imported-api"])).stdout).toContain("Import successful!");
    expect((await workspace.run(["import", "-no-color", "keyward_scope.s", "imported-api/reports:read"])).stdout).toContain("Import successful!");
  });

  it("imports a key by id with an import block, then plans no changes", async () => {
    await workspace.writeFile("import.tf", `import {\n  to = keyward_api_key.k\n  id = "${key.id}"\n}\n`);
    const applied = await workspace.apply();
    expect(applied.stdout).toContain("1 imported, 0 added, 0 changed, 0 destroyed");
    expect(await workspace.stateAttributes("keyward_api_key.k")).toMatchObject({ id: key.id, version: 1, secret: null });
    const plan = await workspace.plan();
    expect(plan.exitCode).toBe(0);
  });

  it("imports a key by id with terraform import too", async () => {
    await workspace.removeFile("import.tf");
    await workspace.run(["state", "rm", "keyward_api_key.k"]);
    expect((await workspace.run(["import", "-no-color", "keyward_api_key.k", key.id])).stdout).toContain("Import successful!");
    expect((await workspace.plan()).exitCode).toBe(0);
  });

  it("refuses an import id of the wrong form, saying the expected one", async () => {
    await workspace.run(["state", "rm", "keyward_scope.s"]);
    const imported = await workspace.run(["import", "-no-color", "keyward_scope.s", "reports:read"], { expectExit: [1] });
    expect(imported.stderr).toContain("Expected project/name");
  });
});

describe("invalid configuration (acceptance 4)", () => {
  let workspace: TerraformWorkspace;

  beforeAll(async () => {
    workspace = await workspaceFor();
    await keyward.projects.create({ name: "strict-api" });
    await keyward.scopes.put("strict-api", "orders:read", {});
    await workspace.writeFile("main.tf", providerBlock);
    await workspace.init();
  });

  const key = (name: string, body: string) => `resource "keyward_api_key" "${name}" {
  project     = "strict-api"
  environment = "test"
  name        = "${name}"
  scopes      = ["orders:read"]
${body}
}
`;

  it("fails at plan on a bad environment, duration, grace period or CIDR, naming each attribute", async () => {
    await workspace.writeFile(
      "keys.tf",
      [
        key("env", "").replace('environment = "test"', 'environment = "prod"'),
        key("duration", '  rotation = { every = "30 days", grace_period = "1h" }'),
        key("grace", '  rotation = { every = "1h", grace_period = "2h" }'),
        key("cidr", '  ip_allowlist = ["10.0.0.0/33"]'),
      ].join("\n"),
    );
    const plan = await workspace.plan([], [1]);
    expect(plan.stderr).toMatch(/Invalid environment[\s\S]*environment = "prod"[\s\S]*"prod" is not an environment\. Expected "test" or "live"\./);
    expect(plan.stderr).toMatch(/Invalid rotation\.every[\s\S]*"30 days" is not a duration/);
    expect(plan.stderr).toMatch(/Invalid rotation\.grace_period[\s\S]*grace_period "2h" is longer than the rotation period every = "1h"/);
    expect(plan.stderr).toMatch(/Invalid ip_allowlist\[0\][\s\S]*"10\.0\.0\.0\/33" is not a CIDR block/);
    expect(await keysOf("strict-api")).toEqual([]);
  });

  it("fails at plan on a scope missing from the project's catalog, and creates nothing", async () => {
    await workspace.writeFile("keys.tf", key("undeclared", "").replace('["orders:read"]', '["orders:read", "orders:delete"]'));
    const plan = await workspace.plan([], [1]);
    expect(plan.stderr).toContain("Invalid scopes");
    expect(plan.stderr).toContain('Scope "orders:delete" is not in the catalog of project "strict-api"');
    const applied = await workspace.run(["apply", "-auto-approve", "-no-color"], { expectExit: [1] });
    expect(applied.stderr).toContain("Invalid scopes");
    expect(await keysOf("strict-api")).toEqual([]);
  });
});

describe("failures and interrupts (acceptance 6)", () => {
  it("turns an unreachable key service into a diagnostic, not a crash", async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const workspace = await workspaceFor({ TF_VAR_keyward_url: `http://127.0.0.1:${closedPort}` });
    await workspace.writeFile("main.tf", `${providerBlock}\nresource "keyward_project" "p" { name = "unreachable" }\n`);
    await workspace.init();
    const applied = await workspace.run(["apply", "-auto-approve", "-no-color"], { expectExit: [1] });
    expect(applied.stderr).toContain('Could not create project "unreachable"');
    expect(applied.stderr).not.toMatch(/plugin (crashed|exited)|Plugin did not respond|panic/i);
  });

  it("finishes in-flight requests on Ctrl-C: every key created is in the state", async () => {
    const workspace = await workspaceFor();
    await workspace.writeFile(
      "main.tf",
      `${providerBlock}
resource "keyward_project" "p" { name = "interrupted-api" }
resource "keyward_scope" "s" {
  project = keyward_project.p.name
  name    = "jobs:run"
}
resource "keyward_api_key" "k" {
  count       = 30
  project     = keyward_project.p.name
  environment = "test"
  name        = "worker-\${count.index}"
  scopes      = [keyward_scope.s.name]
}
`,
    );
    await workspace.init();
    const running = workspace.start(["apply", "-auto-approve", "-no-color", "-parallelism=1"], {}, true);
    let output = "";
    await new Promise<void>((resolve) => {
      running.child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (/keyward_api_key\.k\[\d+\]: Creating\.\.\./.test(output)) resolve();
      });
      void running.result.then(() => resolve());
    });
    // A terminal's Ctrl-C reaches the whole process group: terraform and the provider.
    process.kill(-(running.child.pid as number), "SIGINT");
    const interrupted = await running.result;
    expect(interrupted.stdout + interrupted.stderr).toContain("Interrupt received");
    expect(interrupted.stdout + interrupted.stderr).not.toMatch(/Plugin did not respond|plugin (crashed|exited)|panic/i);
    const onServer = await keysOf("interrupted-api");
    for (const key of onServer) expect(await isInState(workspace, key.id)).toBe(true);
    await workspace.apply();
    expect((await workspace.plan()).exitCode).toBe(0);
  });
});

async function isInState(workspace: TerraformWorkspace, id: string): Promise<boolean> {
  const state = JSON.parse(await workspace.readFile("terraform.tfstate")) as { resources: { instances: { attributes: { id?: string } }[] }[] };
  return state.resources.some((resource) => resource.instances.some((instance) => instance.attributes.id === id));
}

describe("data sources and management tokens", () => {
  let workspace: TerraformWorkspace;

  beforeAll(async () => {
    workspace = await workspaceFor();
    await workspace.writeFile(
      "main.tf",
      `${providerBlock}
resource "keyward_project" "p" { name = "lookup-api" }
resource "keyward_scope" "s" {
  for_each    = toset(["b:read", "a:read"])
  project     = keyward_project.p.name
  name        = each.key
  description = "Scope \${each.key}"
}
resource "keyward_api_key" "k" {
  project     = keyward_project.p.name
  environment = "live"
  name        = "reader"
  scopes      = [keyward_scope.s["a:read"].name]
  rotation    = { every = "7d", grace_period = "1h" }
}
resource "keyward_management_token" "t" {
  name    = "lookup-reader"
  scopes  = ["keys:read"]
  project = keyward_project.p.name
}
data "keyward_api_key" "by_name" {
  project     = keyward_api_key.k.project
  environment = keyward_api_key.k.environment
  name        = keyward_api_key.k.name
}
data "keyward_api_key" "by_id" {
  id = keyward_api_key.k.id
}
data "keyward_scopes" "all" {
  project    = keyward_project.p.name
  depends_on = [keyward_scope.s]
}
output "by_name" { value = data.keyward_api_key.by_name }
output "by_id_rotation" { value = data.keyward_api_key.by_id.rotation }
output "scopes" { value = data.keyward_scopes.all.scopes }
output "token_secret" {
  value     = keyward_management_token.t.secret
  sensitive = true
}
`,
    );
    await workspace.init();
    await workspace.apply();
  });

  it("reads a key by project, environment and name, and by id, without its secret", async () => {
    const outputs = await workspace.outputs();
    const key = await workspace.stateAttributes("keyward_api_key.k");
    expect(outputs.by_name?.value).toMatchObject({ id: key?.id, environment: "live", version: 1, status: "active", scopes: ["a:read"] });
    expect(outputs.by_name?.value).not.toHaveProperty("secret");
    expect(outputs.by_id_rotation?.value).toEqual({ every: "7d", grace_period: "1h", grace_starts: null });
  });

  it("lists a project's scope catalog, sorted", async () => {
    expect((await workspace.outputs()).scopes?.value).toEqual([
      { name: "a:read", description: "Scope a:read" },
      { name: "b:read", description: "Scope b:read" },
    ]);
  });

  it("issues a management token that works, bound to its project", async () => {
    const secret = (await workspace.outputs()).token_secret?.value as string;
    const asToken = new Keyward({ url: service.url, token: secret });
    expect((await asToken.keys.list({ project: "lookup-api" }).toArray()).map((key) => key.name)).toEqual(["reader"]);
    expect((await workspace.plan()).exitCode).toBe(0);
  });

  it("destroys the token with the rest", async () => {
    const tokenId = (await workspace.stateAttributes("keyward_management_token.t"))?.id;
    await workspace.destroy();
    const tokens = await keyward.tokens.list().toArray();
    expect(tokens.map((token) => token.id)).not.toContain(tokenId);
  });
});

describe("installing into the default plugin directory", () => {
  it("lets terraform init find the provider offline with no CLI configuration (the implied mirror)", async () => {
    const home = await mkdtemp(join(tmpdir(), "keyward-home-"));
    const workspace = await TerraformWorkspace.create({ cliConfig: "", env: { HOME: home } });
    workspaces.push(workspace);
    try {
      const installed = await installKeywardProvider({ dir: defaultPluginDirectory(home), executable });
      expect(installed.path.startsWith(join(home, ".terraform.d", "plugins", "registry.terraform.io", "keyward", "keyward"))).toBe(true);
      await workspace.writeFile("main.tf", providerBlock);
      const init = await workspace.init();
      expect(init.stdout).toMatch(/Installing keyward\/keyward v0\.1\.0\.\.\.[\s\S]*Installed keyward\/keyward v0\.1\.0 \(unauthenticated\)/);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});


describe("the example with only KEYWARD_URL and KEYWARD_TOKEN, as the README says is enough", () => {
  it("plans without asking for a variable", async () => {
    const workspace = await TerraformWorkspace.create({ env: { KEYWARD_URL: service.url, KEYWARD_TOKEN: service.rootToken } });
    workspaces.push(workspace);
    await installKeywardProvider({ dir: workspace.mirror, executable });
    await workspace.copyConfiguration(example);
    await workspace.init();
    const planned = await workspace.plan([], [2]);
    expect(planned.stdout).toContain("3 to add, 0 to change, 0 to destroy");
  });
});

describe("installing from release files (keyward provider install --from)", () => {
  it("puts the checked release zip into the packed mirror layout, which terraform init unpacks and runs", async () => {
    const release = await mkdtemp(join(tmpdir(), "keyward-release-"));
    const workspace = await workspaceFor();
    try {
      // The registry release layout: one zip per platform holding terraform-provider-keyward_v<version>.
      const zip = `terraform-provider-keyward_0.1.0_${terraformPlatform()}.zip`;
      await copyFile(executable, join(release, "terraform-provider-keyward_v0.1.0"));
      // Terraform keeps the zip entry's mode when it unpacks: a release must zip an executable file.
      await chmod(join(release, "terraform-provider-keyward_v0.1.0"), 0o755);
      const zipped = spawnSync("python3", ["-m", "zipfile", "-c", zip, "terraform-provider-keyward_v0.1.0"], { cwd: release, encoding: "utf8" });
      if (zipped.error || zipped.status !== 0) throw new Error(`python3 -m zipfile is needed to make a release zip: ${zipped.error?.message ?? zipped.stderr}`);
      const digest = createHash("sha256").update(await readFile(join(release, zip))).digest("hex");
      await writeFile(join(release, "terraform-provider-keyward_0.1.0_SHA256SUMS"), `${digest}  ${zip}\n`);
      await rm(join(workspace.mirror, "registry.terraform.io"), { recursive: true, force: true });

      const installed = await installRelease({ dir: workspace.mirror, from: release });
      expect(installed.path).toBe(join(workspace.mirror, "registry.terraform.io", "keyward", "keyward", zip));
      await workspace.writeFile("main.tf", providerBlock);
      const init = await workspace.init();
      expect(init.stdout).toMatch(/Installed keyward\/keyward v0\.1\.0/);
      const validate = await workspace.run(["validate", "-no-color"]);
      expect(validate.stdout).toContain("The configuration is valid");
    } finally {
      await rm(release, { recursive: true, force: true });
    }
  });
});
