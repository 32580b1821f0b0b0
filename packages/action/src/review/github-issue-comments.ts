import { ActionError } from "../action-error";
import { connectOctokit, type GitHubConnection, GitHubRequestError, type Octokit } from "@keyward/github-secrets";
import type { IssueCommentsApi, PostedComment, PullRequestRef } from "./sticky-comment";

const HEADERS = { "x-github-api-version": "2022-11-28", accept: "application/vnd.github+json" };
const LIST = "GET /repos/{owner}/{repo}/issues/{issue_number}/comments";
const CREATE = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments";
const UPDATE = "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}";

/**
 * Pull request comments over GitHub's REST API (a pull request is an issue there). Needs
 * `pull-requests: write`, which the default GITHUB_TOKEN has when the workflow grants it.
 * Errors keep only the status and GitHub's one-line message.
 */
export class GitHubIssueComments implements IssueCommentsApi {
  readonly #octokit: Octokit;

  constructor(octokit: Octokit) {
    this.#octokit = octokit;
  }

  static connect(connection: GitHubConnection): GitHubIssueComments {
    return new GitHubIssueComments(connectOctokit(connection));
  }

  async *list(pullRequest: PullRequestRef): AsyncIterable<PostedComment> {
    const options = { ...params(pullRequest), per_page: 100, headers: HEADERS };
    const pages = this.#octokit.paginate.iterator(LIST, options);
    try {
      for await (const page of pages) yield* (page.data as unknown[]).map(toPostedComment);
    } catch (error) {
      throw describeFailure(error, LIST, pullRequest);
    }
  }

  async create(pullRequest: PullRequestRef, body: string): Promise<PostedComment> {
    return this.#send(CREATE, pullRequest, { ...params(pullRequest), body });
  }

  async update(pullRequest: PullRequestRef, commentId: number, body: string): Promise<PostedComment> {
    return this.#send(UPDATE, pullRequest, { owner: pullRequest.owner, repo: pullRequest.repo, comment_id: commentId, body });
  }

  async #send(route: string, pullRequest: PullRequestRef, parameters: Record<string, unknown>): Promise<PostedComment> {
    try {
      return toPostedComment((await this.#octokit.request(route, { ...parameters, headers: HEADERS })).data);
    } catch (error) {
      throw describeFailure(error, route, pullRequest);
    }
  }
}

function params(pullRequest: PullRequestRef) {
  return { owner: pullRequest.owner, repo: pullRequest.repo, issue_number: pullRequest.number };
}

function toPostedComment(data: unknown): PostedComment {
  const comment = data as { id: number; body?: string | null; html_url?: string; user?: { type?: string } | null };
  return { id: comment.id, body: comment.body ?? "", authorType: comment.user?.type, url: comment.html_url };
}

/** Octokit's error holds the request (with our comment) and the whole response; keep the status and GitHub's message. */
function describeFailure(error: unknown, route: string, pullRequest: PullRequestRef): Error {
  const where = `${route.split(" ", 1)[0]} comment on ${pullRequest.owner}/${pullRequest.repo}#${pullRequest.number}`;
  const status = (error as { status?: unknown }).status;
  if (typeof status !== "number") return new ActionError(`Could not reach GitHub to ${where}: ${String((error as Error).message).split("\n", 1)[0]}`);
  const data = (error as { response?: { data?: { message?: unknown } } }).response?.data;
  const message = typeof data?.message === "string" ? data.message.split("\n", 1)[0]! : "";
  const hint = status === 403 ? " (the token needs pull-requests: write; GITHUB_TOKEN is read-only on pull requests from forks)" : "";
  return new GitHubRequestError(status, where, `${message}${hint}`);
}
