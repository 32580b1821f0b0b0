import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readSettings } from "../../packages/action/src/settings";
import { runAction } from "../action-runner/action-runner";
import { parseTargets } from "../../packages/action/src/target";

const read = async (path: string) => parse(await readFile(new URL(path, import.meta.url), "utf8"));

describe("examples/workflows/rotate.yml", () => {
  it("runs daily with only id-token: write, no Keyward secret, the action pinned by commit SHA, and only inputs the action declares", async () => {
    const workflow = await read("../../examples/workflows/rotate.yml");
    const action = await read("../../packages/action/action.yml");
    expect(workflow.on.schedule[0].cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(workflow.permissions).toEqual({ "id-token": "write" });
    const steps = Object.values(workflow.jobs as Record<string, { steps: Array<{ uses?: string; with?: Record<string, unknown> }> }>).flatMap((job) => job.steps);
    const step = steps.find((candidate) => candidate.uses?.startsWith("keyward/keyward@"));
    expect(step?.uses).toMatch(/@[0-9a-f]{40}$/);
    expect(Object.keys(step?.with ?? {}).filter((input) => !(input in action.inputs))).toEqual([]);
    expect(step?.with?.["only-due"]).toBe(true);
    expect(step?.with?.["github-token"]).not.toContain("GITHUB_TOKEN");
    expect(step?.with?.["keyward-token"]).toBeUndefined();
    // The one secret left is GitHub's writer token.
    expect(Object.values(step?.with ?? {}).filter((value) => String(value).includes("secrets."))).toEqual(["${{ secrets.KEYWARD_SECRETS_WRITER }}"]);
    expect(parseTargets(String(step?.with?.targets), "acme/billing-api").length).toBe(4);
  });
});

describe("examples/workflows/check.yml", () => {
  it("runs weekly in check mode with only id-token: write, no Keyward secret and valid inputs", async () => {
    const workflow = await read("../../examples/workflows/check.yml");
    const action = await read("../../packages/action/action.yml");
    expect(workflow.permissions).toEqual({ "id-token": "write" });
    expect(JSON.stringify(workflow)).not.toContain("secrets.");
    const step = workflow.jobs.check.steps[0];
    expect(step.uses).toMatch(/^keyward\/keyward@[0-9a-f]{40}$/);
    expect(step.with.mode).toBe("check");
    expect(Object.keys(step.with).filter((input) => !(input in action.inputs))).toEqual([]);
    const settings = readSettings((name) => String(step.with[name] ?? ""), { GITHUB_REPOSITORY: "acme/api", GITHUB_EVENT_NAME: "schedule" });
    expect(settings.failOn).toEqual(["overdue", "expiring"]);
  });
});

const repository = fileURLToPath(new URL("../../", import.meta.url));

/** A file as committed at `commit`, or undefined when that commit has no such file. */
function fileAt(commit: string, path: string): string | undefined {
  try {
    return execFileSync("git", ["show", `${commit}:${path}`], { cwd: repository, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

function requireCommit(commit: string): void {
  const shallow = execFileSync("git", ["rev-parse", "--is-shallow-repository"], { cwd: repository, encoding: "utf8" }).trim();
  try {
    execFileSync("git", ["cat-file", "-e", `${commit}^{commit}`], { cwd: repository, stdio: "ignore" });
  } catch {
    const hint = shallow === "true" ? " This clone is shallow: run `git fetch --unshallow` and retry." : " Pin a commit of main that exists.";
    throw new Error(`commit ${commit} is not in this repository's history.${hint}`);
  }
}

/** A workflow's `with:` made runnable offline: expressions become placeholders, servers a closed port. */
function offlineInputs(given: Record<string, unknown>, declared: Record<string, { default?: unknown }>, dir: string): Record<string, string> {
  const inputs = Object.fromEntries(
    Object.entries(given)
      // An expression filled at run time (`${{ inputs.dry-run }}`) takes the input's default.
      .filter(([name, value]) => !(/^\$\{\{[^}]*\}\}$/.test(String(value)) && declared[name]?.default !== undefined))
      .map(([name, value]) => [name, String(value).replace(/\$\{\{[^}]*\}\}/g, "placeholder")]),
  );
  if ("keyward-url" in inputs) inputs["keyward-url"] = "http://127.0.0.1:9";
  if ("keyward-token" in inputs) inputs["keyward-token"] = "kwm_placeholder";
  if ("plan-json" in inputs) inputs["plan-json"] = join(dir, "plan.json");
  return inputs;
}

describe("every example workflow", () => {
  it("pins the Keyward action to a commit whose action.yml declares every input the step uses and whose bundle runs its mode", async () => {
    const directory = new URL("../../examples/workflows/", import.meta.url);
    const files = (await readdir(directory)).filter((file) => file.endsWith(".yml"));
    expect(files.length).toBeGreaterThanOrEqual(3);
    let pinned = 0;
    for (const file of files) {
      const workflow = parse(await readFile(new URL(file, directory), "utf8"));
      const steps = Object.values(workflow.jobs as Record<string, { steps: Array<{ uses?: string; with?: Record<string, unknown> }> }>).flatMap((job) => job.steps);
      for (const step of steps.filter((candidate) => candidate.uses?.startsWith("keyward/keyward"))) {
        const match = /^keyward\/keyward(?:\/(packages\/action))?@([0-9a-f]{40})$/.exec(step.uses ?? "");
        expect(match, `${file}: ${step.uses} must pin keyward/keyward by a full commit SHA`).not.toBeNull();
        const [, subdirectory, commit] = match as RegExpExecArray;
        requireCommit(commit!);
        const actionDirectory = subdirectory ? `${subdirectory}/` : "";
        const metadata = fileAt(commit!, `${actionDirectory}action.yml`);
        expect(metadata, `${file}: ${commit} has no ${actionDirectory}action.yml`).toBeDefined();
        const action = parse(metadata!);
        const unknown = Object.keys(step.with ?? {}).filter((input) => !(input in action.inputs));
        expect(unknown, `${file}: inputs the action at ${commit} does not declare`).toEqual([]);
        const bundle = fileAt(commit!, `${actionDirectory}${action.runs.main}`);
        expect(bundle?.length ?? 0, `${file}: ${commit} lacks the bundle ${action.runs.main}`).toBeGreaterThan(0);

        // Run that commit's bundle with the step's inputs against nothing: it may fail to reach a
        // server, but it must get past choosing the mode.
        const mode = String(step.with?.mode ?? action.inputs.mode.default);
        const dir = await mkdtemp(join(tmpdir(), "keyward-pinned-action-"));
        try {
          await writeFile(join(dir, "package.json"), JSON.stringify({ type: "module" }));
          await writeFile(join(dir, "index.js"), bundle!);
          await writeFile(join(dir, "plan.json"), JSON.stringify({ format_version: "1.2", terraform_version: "1.11.4", planned_values: { root_module: {} }, resource_changes: [], configuration: { root_module: {} } }));
          const run = await runAction({
            inputs: offlineInputs(step.with ?? {}, action.inputs, dir),
            githubApiUrl: "http://127.0.0.1:9",
            eventName: mode === "review" ? "pull_request" : "schedule",
            event: mode === "review" ? { pull_request: { number: 1 } } : {},
            action: { bundle: join(dir, "index.js"), metadata: metadata! },
          });
          const said = run.stdout + run.stderr;
          expect(said, `${file}: the action at ${commit} does not run mode '${mode}'`).not.toMatch(/not available|is not a mode/i);
          expect(said, `${file}: the action at ${commit} never reached its '${mode}' mode`).not.toMatch(/Invalid input/i);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
        pinned += 1;
      }
    }
    expect(pinned).toBe(files.length);
  }, 120_000);
});

describe("action.yml at the repository root", () => {
  it("is packages/action/action.yml with the bundle's path from the root, so both `uses:` forms run the same action", async () => {
    const nested = await read("../../packages/action/action.yml");
    const root = await read("../../action.yml");
    expect(root.runs).toEqual({ using: "node24", main: "packages/action/dist/index.js" });
    expect({ ...root, runs: nested.runs }).toEqual(nested);
  });
});

describe("action.yml", () => {
  it("runs on node24 from the committed bundle and describes every input and output", async () => {
    const action = await read("../../packages/action/action.yml");
    expect(action.runs).toEqual({ using: "node24", main: "dist/index.js" });
    expect(action.branding).toMatchObject({ icon: expect.any(String), color: expect.any(String) });
    expect(Object.keys(action.inputs)).toEqual([
      "mode", "keyward-url", "keyward-token", "audience", "github-token", "keys", "targets", "only-due", "grace-period", "dry-run", "plan-json", "expiring-within", "comment", "fail-on",
    ]);
    for (const [name, entry] of Object.entries({ ...action.inputs, ...action.outputs })) {
      expect((entry as { description?: string }).description?.length ?? 0, name).toBeGreaterThan(20);
    }
  });
});
