import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PlanFixtureName, planFixtureText, sensitiveValues } from "../../packages/action/src/review/plan-fixture";
import { REVIEW_MARKER } from "../../packages/action/src/review/sticky-comment";
import { type ActionRun, runAction } from "../action-runner/action-runner";
import { GitHubEmulator } from "../github-emulator/github-emulator";
import { describeLeaks, scanForLeaks } from "../leak-scanner/leak-scanner";

// Issue 6 acceptance 2-4, running the committed bundle as the runner would, against the GitHub
// emulator: one sticky comment however often the review runs, each fail-on policy, bad plan JSON.

const REPOSITORY = "acme/api";
const PULL_REQUEST = 7;
const workflowToken = "ghs_ReviewWorkflowToken0123456789abcdef";
const readOnlyToken = "ghs_ReviewReadOnlyToken0123456789abcdef";

let github: GitHubEmulator;
let dir: string;

beforeAll(async () => {
  github = await GitHubEmulator.start();
  github.addRepository(REPOSITORY);
  github.addToken(workflowToken, { repositories: { [REPOSITORY]: ["metadata", "pull_requests"] } });
  github.addToken(readOnlyToken, { repositories: { [REPOSITORY]: ["metadata"] } });
  dir = await mkdtemp(join(tmpdir(), "keyward-review-"));
});

afterAll(async () => {
  await github.stop();
  await rm(dir, { recursive: true, force: true });
});

let pullRequests = 100;

/** A fresh pull request, so each test counts its own comments. */
function openPullRequest(): number {
  pullRequests += 1;
  github.addPullRequest(REPOSITORY, pullRequests);
  return pullRequests;
}

async function planFile(name: PlanFixtureName | "custom", text = planFixtureText(name as PlanFixtureName)): Promise<string> {
  const path = join(dir, `${name}-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, text);
  return path;
}

async function review(options: { plan: string; pullRequest?: number; inputs?: Record<string, string>; eventName?: string }): Promise<ActionRun> {
  const pullRequest = options.pullRequest ?? PULL_REQUEST;
  return runAction({
    githubApiUrl: github.url,
    repository: REPOSITORY,
    eventName: options.eventName ?? "pull_request",
    event: options.eventName === "push" ? { ref: "refs/heads/main" } : { number: pullRequest, pull_request: { number: pullRequest } },
    inputs: { mode: "review", "plan-json": options.plan, "github-token": workflowToken, ...options.inputs },
  });
}

function stickyComments(pullRequest: number) {
  return github.comments(REPOSITORY, pullRequest).filter((comment) => comment.body.startsWith(REVIEW_MARKER));
}

function requestsOn(pullRequest: number, since: number) {
  return github.requests.slice(since).filter((request) => request.path.includes(`/issues/${pullRequest}/`) || request.route === "update-issue-comment");
}

describe("review mode, run as the bundled action", () => {
  it("leaves exactly one comment on the pull request, updated in place on the next run, behind 120 other comments", async () => {
    const pullRequest = openPullRequest();
    for (let index = 0; index < 120; index += 1) github.addComment(REPOSITORY, pullRequest, `discussion ${index}`, "octocat");

    const first = await review({ plan: await planFile("mixed-changes"), pullRequest });
    expect(first.exitCode, first.stdout).toBe(0);
    const [created] = stickyComments(pullRequest);
    expect(stickyComments(pullRequest)).toHaveLength(1);
    expect(created!.body).toContain("`billing-api/live/ci-deployer`");
    expect(created!.login).toBe("github-actions[bot]");

    const before = github.requests.length;
    const second = await review({ plan: await planFile("clean-changes"), pullRequest });
    expect(second.exitCode, second.stdout).toBe(0);
    const sticky = stickyComments(pullRequest);
    expect(sticky).toHaveLength(1);
    expect(sticky[0]!.id).toBe(created!.id);
    expect(sticky[0]!.body).toContain("`billing-api/live/analytics`");
    expect(sticky[0]!.body).not.toContain("ci-deployer");
    expect(github.comments(REPOSITORY, pullRequest)).toHaveLength(121);
    // Two pages of 100 to find it, then one edit; never a second comment.
    expect(requestsOn(pullRequest, before).map((request) => `${request.route} ${request.status}`)).toEqual([
      "list-issue-comments 200",
      "list-issue-comments 200",
      "update-issue-comment 200",
    ]);
    expect(second.files.GITHUB_STEP_SUMMARY).toContain("## Keyward review");
    expect(second.stdout).toMatch(new RegExp(`Review comment updated: https://github\\.com/${REPOSITORY}/pull/\\d+#issuecomment-${created!.id}\\n`));
  });

  it("shows no sensitive value of the plan, nor the GitHub token, anywhere", async () => {
    const pullRequest = openPullRequest();
    const text = planFixtureText("mixed-changes");
    const run = await review({ plan: await planFile("mixed-changes"), pullRequest, inputs: { "fail-on": "scope-widening" } });
    const secrets = [...sensitiveValues(text).map((value, index) => ({ label: `sensitive value ${index} of the plan`, value })), { label: "github-token", value: workflowToken }];
    expect(describeLeaks(scanForLeaks(secrets, run, { relyOnMasking: false }))).toBe("");
    for (const { value } of secrets) expect(stickyComments(pullRequest)[0]!.body).not.toContain(value);
  });

  it("reads the plan JSON given inline too", async () => {
    const pullRequest = openPullRequest();
    const run = await review({ plan: planFixtureText("mixed-changes"), pullRequest });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(stickyComments(pullRequest)).toHaveLength(1);
  });

  it("with comment: false writes the job summary and makes no GitHub request", async () => {
    const before = github.requests.length;
    const run = await review({ plan: await planFile("mixed-changes"), inputs: { comment: "false", "github-token": "" } });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.files.GITHUB_STEP_SUMMARY).toContain("### API keys");
    expect(github.requests.length - before).toBe(0);
  });

  it("outside a pull request writes the summary, warns and posts nothing", async () => {
    const before = github.requests.length;
    const run = await review({ plan: await planFile("mixed-changes"), eventName: "push" });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout).toContain("::warning::No pull request in this 'push' event: the review is in the job summary only.");
    expect(run.files.GITHUB_STEP_SUMMARY).toContain("## Keyward review");
    expect(github.requests.length - before).toBe(0);
  });

  it("fails with the permission it needs when the token cannot comment", async () => {
    const pullRequest = openPullRequest();
    const run = await review({ plan: await planFile("mixed-changes"), pullRequest, inputs: { "github-token": readOnlyToken } });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::error::GitHub answered 403 to POST comment on acme\/api#\d+: Resource not accessible by integration \(the token needs pull-requests: write/);
    expect(stickyComments(pullRequest)).toHaveLength(0);
  });
});

describe("fail-on review policies", () => {
  const policies = ["scope-widening", "live-without-rotation", "live-key-destroyed", "expiry-removed"] as const;

  it.each(policies)("%s fails the step when violated, with the reason in the summary, and still posts the review", async (policy) => {
    const pullRequest = openPullRequest();
    const run = await review({ plan: await planFile(`only-${policy}`), pullRequest, inputs: { "fail-on": policy } });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`::error::1 review policy violated (fail-on): ${policy}: `);
    expect(run.files.GITHUB_STEP_SUMMARY).toContain("### Policy violations (1)");
    expect(run.files.GITHUB_STEP_SUMMARY).toContain(`- **${policy}**: `);
    expect(stickyComments(pullRequest)[0]!.body).toContain(`- **${policy}**: `);
  });

  it.each(policies)("%s passes a plan that does not violate it", async (policy) => {
    const others = policies.filter((other) => other !== policy);
    const run = await review({ plan: await planFile(`only-${others[0]!}`), pullRequest: openPullRequest(), inputs: { "fail-on": policy } });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.files.GITHUB_STEP_SUMMARY).not.toContain("Policy violations");
  });

  it("passes a clean plan under every policy", async () => {
    const run = await review({ plan: await planFile("clean-changes"), pullRequest: openPullRequest(), inputs: { "fail-on": policies.join(",") } });
    expect(run.exitCode, run.stdout).toBe(0);
  });
});

describe("plan-json that is not a plan", () => {
  it.each([
    ["malformed JSON", '{"format_version": "1.2", "resource_changes": [', "Input 'plan-json' (file '<path>') is not valid JSON."],
    ["a state instead of a plan", '{"format_version":"1.0","values":{"root_module":{}}}', "Input 'plan-json' (file '<path>') is not a Terraform plan: planned_values"],
    ["an empty file", "", "Input 'plan-json' (file '<path>') is empty."],
  ])("%s fails with a message naming the input and posts nothing", async (_case, text, message) => {
    const pullRequest = openPullRequest();
    const before = github.requests.length;
    const path = await planFile("custom", text);
    const run = await review({ plan: path, pullRequest });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`::error::${message.replace("<path>", path)}`);
    expect(run.files.GITHUB_STEP_SUMMARY).toBe("");
    expect(github.requests.length - before).toBe(0);
  });

  it("a missing file fails naming the input and the path", async () => {
    const run = await review({ plan: join(dir, "missing.json") });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`::error::Invalid input 'plan-json': cannot read the file '${join(dir, "missing.json")}' (ENOENT)`);
  });
});
