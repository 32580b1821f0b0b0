import { ActionError, InputError } from "../action-error";
import type { Runner } from "../runner";
import { type ReviewPolicy, reviewPolicies, type Settings } from "../settings";
import { parsePlanJson } from "./plan-json";
import { pullRequestNumber } from "./pull-request-number";
import { buildReview } from "./review";
import { renderReviewMarkdown } from "./review-markdown";
import { evaluateReviewPolicies, type PolicyViolation } from "./review-policy";
import { type IssueCommentsApi, type PullRequestRef, upsertStickyComment } from "./sticky-comment";

export interface ReviewDependencies {
  readonly runner: Runner;
  /** Reads a file of the workspace: the plan JSON and the event payload. */
  readonly readFile: (path: string) => Promise<string>;
  /** Connects to GitHub's comment API; called only when a comment is to be posted. */
  readonly comments: () => IssueCommentsApi;
  /** The time the policies' lifetimes count from (SPEC §18); default the system clock. */
  readonly now?: () => Date;
}

type ReviewSettings = Pick<Settings, "planJson" | "comment" | "failOn" | "githubToken" | "repository" | "eventName" | "eventPath">;

/**
 * `mode: review` (SPEC §7): reads the plan, writes the review to the job summary and to the one
 * sticky pull request comment, then fails the step if a `fail-on` policy is violated. A plan that
 * cannot be read fails before anything is written or posted.
 */
export async function reviewPlan(settings: ReviewSettings, dependencies: ReviewDependencies): Promise<void> {
  const { runner } = dependencies;
  const plan = await readPlan(settings.planJson ?? "", dependencies.readFile);
  const pullRequest = settings.comment ? await commentTarget(settings, dependencies) : undefined;
  const review = buildReview(plan, (dependencies.now ?? (() => new Date()))());
  const violations = evaluateReviewPolicies(review, settings.failOn.filter(isReviewPolicy));
  const markdown = renderReviewMarkdown(review, violations);
  await runner.summary(markdown);
  runner.info(`Keyward review: ${review.keys.length} key change(s), ${review.secrets.total} key secret(s) re-issued on apply, ${review.findings.length} finding(s).`);
  if (pullRequest !== undefined) {
    const result = await upsertStickyComment(dependencies.comments(), pullRequest, markdown);
    runner.info(`Review comment ${result.action}${result.comment.url ? `: ${result.comment.url}` : ""}`);
  }
  if (violations.length > 0) throw new ActionError(violationMessage(violations));
}

/**
 * `plan-json` is a path (what `terraform show -json tfplan > plan.json` leaves in the workspace,
 * and safe from the size limit on inputs) or, when it starts with `{`, the JSON itself.
 */
async function readPlan(input: string, readFile: ReviewDependencies["readFile"]) {
  const text = input.trim();
  if (text.startsWith("{")) return parsePlanJson(text, "inline JSON");
  let content: string;
  try {
    content = await readFile(text);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new InputError(
      "plan-json",
      `cannot read the file '${text}'${typeof code === "string" ? ` (${code})` : ""}. Expected the path of the file \`terraform show -json <planfile> > plan.json\` wrote, or that JSON itself`,
    );
  }
  return parsePlanJson(content, `file '${text}'`);
}

/** The pull request to comment on, or `undefined` (with a warning) when the run is not for one. */
async function commentTarget(settings: ReviewSettings, dependencies: ReviewDependencies): Promise<PullRequestRef | undefined> {
  if (settings.githubToken === undefined) {
    throw new InputError("github-token", "is empty. With comment: true the review is posted on the pull request: pass github-token: ${{ github.token }} with permissions pull-requests: write, or set comment: false");
  }
  const number = settings.eventPath === undefined ? undefined : pullRequestNumber(await readEvent(settings.eventPath, dependencies.readFile));
  const [owner, repo] = (settings.repository ?? "").split("/");
  if (number === undefined || !owner || !repo) {
    dependencies.runner.warning(`No pull request in this '${settings.eventName ?? "unknown"}' event: the review is in the job summary only.`);
    return undefined;
  }
  return { owner, repo, number };
}

async function readEvent(path: string, readFile: ReviewDependencies["readFile"]): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path));
  } catch {
    throw new ActionError(`Could not read the event payload at GITHUB_EVENT_PATH '${path}'`);
  }
}

function isReviewPolicy(policy: string): policy is ReviewPolicy {
  return (reviewPolicies as readonly string[]).includes(policy);
}

function violationMessage(violations: readonly PolicyViolation[]): string {
  const listed = violations.map((violation) => `${violation.policy}: ${violation.reason}`).join("; ");
  return `${violations.length} review polic${violations.length === 1 ? "y" : "ies"} violated (fail-on): ${listed}`;
}
