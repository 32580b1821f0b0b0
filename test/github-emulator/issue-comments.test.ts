import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubEmulator } from "./github-emulator";

let github: GitHubEmulator;

beforeAll(async () => {
  github = await GitHubEmulator.start();
  github.addRepository("acme/api");
  github.addPullRequest("acme/api", 7);
  github.addToken("workflow", { repositories: { "acme/api": ["metadata", "pull_requests"] } });
  github.addToken("read-only", { repositories: { "acme/api": ["metadata"] } });
  github.addToken("someone", { login: "octocat", repositories: { "acme/api": ["metadata", "issues"] } });
});

afterAll(async () => {
  await github.stop();
});

async function call(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${path.startsWith("http") ? "" : github.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, link: response.headers.get("link"), body: text ? JSON.parse(text) : undefined };
}

describe("GitHub emulator: issue comments", () => {
  it("creates a comment authored by the token's account and edits it in place", async () => {
    const created = await call("POST", "/repos/acme/api/issues/7/comments", "workflow", { body: "first" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ body: "first", user: { login: "github-actions[bot]", type: "Bot" } });
    const updated = await call("PATCH", `/repos/acme/api/issues/comments/${created.body.id}`, "workflow", { body: "second" });
    expect(updated.status).toBe(200);
    expect(github.issueComments.on("acme/api", 7).map((comment) => comment.body)).toEqual(["second"]);
  });

  it("pages with per_page and a Link header", async () => {
    for (let index = 0; index < 4; index += 1) await call("POST", "/repos/acme/api/issues/7/comments", "someone", { body: `note ${index}` });
    const first = await call("GET", "/repos/acme/api/issues/7/comments?per_page=2", "read-only");
    expect(first.body.map((comment: { body: string }) => comment.body)).toEqual(["second", "note 0"]);
    const next = /<([^>]+)>; rel="next"/.exec(first.link ?? "")?.[1];
    expect(first.link).toContain('rel="last"');
    const second = await call("GET", next!, "read-only");
    expect(second.body.map((comment: { body: string }) => comment.body)).toEqual(["note 1", "note 2"]);
    const last = await call("GET", "/repos/acme/api/issues/7/comments?per_page=2&page=3", "read-only");
    expect(last.body.map((comment: { body: string }) => comment.body)).toEqual(["note 3"]);
    expect(last.link).not.toContain('rel="next"');
  });

  it("refuses a token without pull_requests or issues write, an unknown pull request and an oversized body", async () => {
    expect((await call("POST", "/repos/acme/api/issues/7/comments", "read-only", { body: "x" })).status).toBe(403);
    const existing = github.issueComments.on("acme/api", 7)[0]!;
    expect((await call("PATCH", `/repos/acme/api/issues/comments/${existing.id}`, "read-only", { body: "x" })).status).toBe(403);
    expect((await call("POST", "/repos/acme/api/issues/8/comments", "workflow", { body: "x" })).status).toBe(404);
    expect((await call("PATCH", "/repos/acme/api/issues/comments/1", "workflow", { body: "x" })).status).toBe(404);
    expect((await call("POST", "/repos/acme/api/issues/7/comments", "workflow", { body: "x".repeat(65_537) })).status).toBe(422);
    expect((await call("POST", "/repos/acme/api/issues/7/comments", "workflow", {})).status).toBe(422);
    expect(github.requestsTo("create-issue-comment").filter((request) => request.status >= 400)).toHaveLength(4);
  });
});
