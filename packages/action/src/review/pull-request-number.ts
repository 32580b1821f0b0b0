/**
 * The pull request a run belongs to, from the webhook payload the runner saves at
 * `GITHUB_EVENT_PATH`: `pull_request.number` for `pull_request` and `pull_request_target`, and
 * `issue.number` for a comment on a pull request (`issue_comment`, where `issue.pull_request` is
 * set). `undefined` for any other event.
 */
export function pullRequestNumber(payload: unknown): number | undefined {
  const event = asRecord(payload);
  const pullRequest = asRecord(event?.pull_request);
  if (typeof pullRequest?.number === "number") return pullRequest.number;
  const issue = asRecord(event?.issue);
  if (issue?.pull_request !== undefined && typeof issue.number === "number") return issue.number;
  return undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
