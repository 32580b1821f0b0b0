import { describe, expect, it } from "vitest";
import { pullRequestNumber } from "./pull-request-number";

describe("pullRequestNumber", () => {
  it.each([
    ["pull_request", { action: "synchronize", number: 7, pull_request: { number: 7 } }, 7],
    ["issue_comment on a pull request", { issue: { number: 9, pull_request: { url: "https://api.github.com/repos/acme/api/pulls/9" } } }, 9],
    ["issue_comment on an issue", { issue: { number: 9 } }, undefined],
    ["push", { ref: "refs/heads/main" }, undefined],
    ["an empty payload", {}, undefined],
    ["not an object", "[]", undefined],
  ])("%s", (_event, payload, expected) => {
    expect(pullRequestNumber(payload)).toBe(expected);
  });
});
