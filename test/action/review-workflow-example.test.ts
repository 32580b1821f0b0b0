import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// examples/workflows/review.yml is copied by users: it must use only inputs action.yml declares,
// grant what the review needs and no more, and hand the action the file terraform show wrote.

const read = async (path: string) => parse(await readFile(new URL(`../../${path}`, import.meta.url), "utf8"));

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
}

describe("examples/workflows/review.yml", () => {
  it("plans on pull_request and reviews with declared inputs, pull-requests: write only and every action pinned by SHA", async () => {
    const workflow = await read("examples/workflows/review.yml");
    const action = await read("packages/action/action.yml");
    expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
    expect(workflow.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    const steps: Step[] = workflow.jobs.review.steps;
    const keyward = steps.find((step) => step.uses?.startsWith("keyward/keyward@"));
    expect(keyward?.with?.mode).toBe("review");
    for (const input of Object.keys(keyward?.with ?? {})) expect(Object.keys(action.inputs)).toContain(input);
    const shown = steps.find((step) => step.run?.startsWith("terraform show -json"));
    expect(shown?.run).toContain('> "$RUNNER_TEMP/plan.json"');
    expect(keyward?.with?.["plan-json"]).toBe("${{ runner.temp }}/plan.json");
    for (const step of steps.filter((candidate) => candidate.uses)) expect(step.uses).toMatch(/@[0-9a-f]{40}$/);
  });
});
