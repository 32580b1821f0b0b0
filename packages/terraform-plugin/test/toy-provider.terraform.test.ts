import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleProviderExecutable } from "../../../test/terraform/provider-executable";
import { TerraformWorkspace } from "../../../test/terraform/terraform-workspace";

/**
 * The protocol layer against the real terraform CLI, with a provider that knows nothing of keys:
 * handshake and mutual TLS, schema, validation, plan rules, apply, refresh and drift, import,
 * destroy. One workspace walks through the life of a note, in order.
 */
const here = fileURLToPath(new URL(".", import.meta.url));
let workspace: TerraformWorkspace;
let notes: string;
let root: string;

const configuration = (body: string) => `terraform {
  required_providers {
    toy = { source = "keyward/toy", version = "0.0.1" }
  }
}
provider "toy" {
  directory = ${JSON.stringify(notes)}
}
${body}`;

const noteResource = (content: string, name = "first") => `resource "toy_note" "first" {
  name    = "${name}"
  content = "${content}"
  tags    = ["b", "a"]
  options = { color = "blue", weight = 1.5 }
}
data "toy_notes" "all" {
  depends_on = [toy_note.first]
}
output "length" { value = toy_note.first.length }
output "names" { value = data.toy_notes.all.names }
`;

const stored = (name: string) => JSON.parse(readFileSync(join(notes, `${name}.json`), "utf8")) as Record<string, unknown>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "keyward-toy-"));
  notes = join(root, "notes");
  const executable = await bundleProviderExecutable({
    source: `import { servePlugin } from "../src/index";\nimport { toyProvider } from "./toy-provider";\nvoid servePlugin(async () => toyProvider);\n`,
    resolveDir: here,
    outfile: join(root, "terraform-provider-toy"),
  });
  workspace = await TerraformWorkspace.create({ providers: [{ source: "keyward/toy", version: "0.0.1", executable }] });
  await workspace.writeFile("main.tf", configuration(noteResource("hello")));
  await workspace.init();
});

afterAll(async () => {
  await workspace?.dispose();
  await rm(root, { recursive: true, force: true });
});

describe("a provider built on the protocol layer, driven by terraform", () => {
  it("creates the object with computed values filled in", async () => {
    await workspace.writeFile("main.tf", configuration(noteResource("hello")));
    const applied = await workspace.apply();
    expect(applied.stdout).toContain("1 added, 0 changed, 0 destroyed");
    expect(stored("first")).toMatchObject({ content: "hello", options: { color: "blue", weight: 1.5 } });
    const outputs = await workspace.outputs();
    expect(outputs.length?.value).toBe(5);
    expect(outputs.names?.value).toEqual(["first"]);
    const state = await workspace.stateAttributes("toy_note.first");
    expect(state).toMatchObject({ id: "first", name: "first", length: 5 });
    expect(new Set(state?.tags as string[])).toEqual(new Set(["a", "b"]));
  });

  it("plans no changes right after apply", async () => {
    const plan = await workspace.plan();
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toContain("No changes.");
  });

  it("updates in place, keeping stable computed values and re-computing the changing ones", async () => {
    const createdAt = stored("first").created_at;
    await workspace.writeFile("main.tf", configuration(noteResource("hello again")));
    const plan = await workspace.plan();
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain("will be updated in-place");
    expect(plan.stdout).toContain("(known after apply)");
    await workspace.apply();
    expect(stored("first")).toMatchObject({ content: "hello again", created_at: createdAt });
    expect((await workspace.outputs()).length?.value).toBe(11);
  });

  it("reports drift when the object disappears behind Terraform's back, and re-creates it", async () => {
    rmSync(join(notes, "first.json"));
    const plan = await workspace.plan();
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toMatch(/toy_note\.first will be created/);
    await workspace.apply();
    expect(existsSync(join(notes, "first.json"))).toBe(true);
  });

  it("replaces the object when an attribute that requires replacement changes", async () => {
    await workspace.writeFile("main.tf", configuration(noteResource("hello again", "renamed")));
    const plan = await workspace.plan();
    expect(plan.stdout).toContain("must be replaced");
    expect(plan.stdout).toContain("# forces replacement");
    await workspace.apply();
    expect(existsSync(join(notes, "first.json"))).toBe(false);
    expect(stored("renamed").content).toBe("hello again");
  });

  it("rejects invalid configuration at plan with a diagnostic naming the attribute", async () => {
    await workspace.writeFile("main.tf", configuration(noteResource("forbidden", "renamed")));
    const plan = await workspace.plan([], [1]);
    expect(plan.stderr).toContain("Invalid content");
    expect(plan.stderr).toContain("The value 'forbidden' is not allowed");
    expect(plan.stderr).toMatch(/on main\.tf line \d+, in resource "toy_note" "first":/);
    expect(plan.stderr).toContain('content = "forbidden"');
  });

  it("surfaces an apply failure as a diagnostic and keeps serving", async () => {
    await workspace.writeFile("main.tf", configuration(noteResource("fail-on-apply", "renamed")));
    const applied = await workspace.run(["apply", "-no-color", "-auto-approve"], { expectExit: [1] });
    expect(applied.stderr).toContain("Could not save the note");
    expect(applied.stderr).not.toContain("Plugin did not respond");
    expect(stored("renamed").content).toBe("hello again");
  });

  it("imports an existing object by id (terraform import) and plans no changes", async () => {
    await workspace.writeFile("main.tf", configuration(noteResource("hello again", "renamed")));
    await workspace.run(["state", "rm", "toy_note.first"]);
    const imported = await workspace.run(["import", "-no-color", "toy_note.first", "renamed"]);
    expect(imported.stdout).toContain("Import successful!");
    const plan = await workspace.plan();
    expect(plan.stdout).toContain("No changes.");
  });

  it("imports through an import block", async () => {
    await workspace.run(["state", "rm", "toy_note.first"]);
    await workspace.writeFile("imports.tf", `import {\n  to = toy_note.first\n  id = "renamed"\n}\n`);
    const applied = await workspace.apply();
    expect(applied.stdout).toContain("1 imported, 0 added, 0 changed, 0 destroyed");
    await workspace.removeFile("imports.tf");
  });

  it("destroys the object", async () => {
    const destroyed = await workspace.destroy();
    expect(destroyed.stdout).toContain("1 destroyed");
    expect(existsSync(join(notes, "renamed.json"))).toBe(false);
  });
});

describe("plugin launch", () => {
  it("refuses to run without Terraform's magic cookie, saying it is a plugin", async () => {
    const versionDir = join(workspace.mirror, "registry.terraform.io/keyward/toy/0.0.1");
    const [platform] = readdirSync(versionDir);
    const executable = join(versionDir, platform!, "terraform-provider-toy_v0.0.1");
    const run = spawnSync(executable, [], { encoding: "utf8", env: { PATH: process.env.PATH } });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("This binary is a plugin");
  });
});
