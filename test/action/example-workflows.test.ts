import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readSettings } from "../../packages/action/src/settings";
import { parseTargets } from "../../packages/action/src/target";

const read = async (path: string) => parse(await readFile(new URL(path, import.meta.url), "utf8"));

describe("examples/workflows/rotate.yml", () => {
  it("runs daily with only id-token: write, no Keyward secret, the action pinned by commit SHA, and only inputs the action declares", async () => {
    const workflow = await read("../../examples/workflows/rotate.yml");
    const action = await read("../../packages/action/action.yml");
    expect(workflow.on.schedule[0].cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(workflow.permissions).toEqual({ "id-token": "write" });
    const steps = Object.values(workflow.jobs as Record<string, { steps: Array<{ uses?: string; with?: Record<string, unknown> }> }>).flatMap((job) => job.steps);
    const step = steps.find((candidate) => candidate.uses?.includes("packages/action@"));
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
    expect(step.uses).toMatch(/packages\/action@[0-9a-f]{40}$/);
    expect(step.with.mode).toBe("check");
    expect(Object.keys(step.with).filter((input) => !(input in action.inputs))).toEqual([]);
    const settings = readSettings((name) => String(step.with[name] ?? ""), { GITHUB_REPOSITORY: "acme/api", GITHUB_EVENT_NAME: "schedule" });
    expect(settings.failOn).toEqual(["overdue", "expiring"]);
  });
});

describe("action.yml", () => {
  it("runs on node24 from the committed bundle and describes every input and output", async () => {
    const action = await read("../../packages/action/action.yml");
    expect(action.runs).toEqual({ using: "node24", main: "dist/index.js" });
    expect(action.branding).toMatchObject({ icon: expect.any(String), color: expect.any(String) });
    expect(Object.keys(action.inputs)).toEqual([
      "mode", "keyward-url", "keyward-token", "audience", "github-token", "targets", "only-due", "grace-period", "dry-run", "plan-json", "expiring-within", "comment", "fail-on",
    ]);
    for (const [name, entry] of Object.entries({ ...action.inputs, ...action.outputs })) {
      expect((entry as { description?: string }).description?.length ?? 0, name).toBeGreaterThan(20);
    }
  });
});
