import type { Secret } from "@keyward/contract";
import { Octokit as OctokitCore } from "@octokit/core";
import type { OctokitOptions } from "@octokit/core/types";
import { type PaginateInterface, paginateRest } from "@octokit/plugin-paginate-rest";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import type { GitHubPublicKey, SealedSecret } from "./sealed-box";
import type { SecretDestination } from "./secret-destination";

/**
 * A failure talking to GitHub. Its message is built from routes, statuses and GitHub's one-line
 * message only, never from a request or response body (a request body holds a sealed secret).
 */
export class GitHubSecretsError extends Error {
  override readonly name: string = "GitHubSecretsError";
}

/** GitHub answered an error. The message holds the route, the status and GitHub's own message. */
export class GitHubRequestError extends GitHubSecretsError {
  readonly status: number;
  readonly route: string;

  constructor(status: number, route: string, githubMessage: string) {
    super(`GitHub answered ${status} to ${route}${githubMessage ? `: ${githubMessage}` : ""}`);
    this.status = status;
    this.route = route;
  }
}

export interface GitHubConnection {
  readonly token: Secret;
  /** `GITHUB_API_URL`. */
  readonly baseUrl: string;
  readonly userAgent: string;
  /** Told about each wait for a rate limit; gets no request or response body. */
  readonly onWait: (message: string) => void;
  /** Where Octokit's own diagnostics go (first line only). */
  readonly debug: (message: string) => void;
}

/** Octokit core with pagination, retries and throttling (the plugins' own types, spelled out for the .d.ts). */
export type Octokit = OctokitCore & { paginate: PaginateInterface };
const KeywardOctokit: new (options: OctokitOptions) => Octokit = OctokitCore.plugin(paginateRest, retry, throttling);

const HEADERS = { "x-github-api-version": "2022-11-28", accept: "application/vnd.github+json" };
/** A longer wait would hold the job for most of an hour; failing says more. */
const MAX_RATE_LIMIT_WAIT_SECONDS = 600;
const MAX_RATE_LIMIT_RETRIES = 3;

/**
 * The one Octokit Keyward talks to GitHub with (the provider's and the action's secret writes, the
 * action's pull request comments), with
 * GitHub's recommended throttling (writes one at a time, a second apart; waits for `retry-after`
 * and `x-ratelimit-reset`) and retries of 5xx answers with backoff.
 */
export function connectOctokit(connection: GitHubConnection): Octokit {
  const onLimit = (kind: string) => (retryAfter: number, options: { method: string; url: string } & Record<string, unknown>, _octokit: unknown, retryCount: number) => {
    if (retryCount >= MAX_RATE_LIMIT_RETRIES || retryAfter > MAX_RATE_LIMIT_WAIT_SECONDS) return false;
    connection.onWait(`GitHub ${kind} rate limit on ${options.method} ${pathOf(expand(options.url, options))}; retrying in ${retryAfter}s`);
    return true;
  };
  const firstLine = (message: unknown) => connection.debug(String(message).split("\n", 1)[0] ?? "");
  return new KeywardOctokit({
    auth: connection.token.reveal(),
    baseUrl: connection.baseUrl.replace(/\/+$/, ""),
    userAgent: connection.userAgent,
    log: { debug: firstLine, info: firstLine, warn: firstLine, error: firstLine },
    throttle: { onRateLimit: onLimit("primary"), onSecondaryRateLimit: onLimit("secondary") },
    // 429 and rate-limited 403 are the throttling plugin's, which honours GitHub's headers.
    retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
  });
}

/** The GitHub secrets REST API for Keyward's destinations, over `connectOctokit`. */
export class GitHubSecrets {
  readonly #octokit: Octokit;

  constructor(octokit: Octokit) {
    this.#octokit = octokit;
  }

  static connect(connection: GitHubConnection): GitHubSecrets {
    return new GitHubSecrets(connectOctokit(connection));
  }

  /** The numeric id GitHub's org secret API takes for a repository name. */
  async repositoryId(fullName: string): Promise<number> {
    const [owner, repo] = fullName.split("/") as [string, string];
    const data = await this.#request<{ id: number }>("GET /repos/{owner}/{repo}", { owner, repo });
    return data.id;
  }

  async publicKey(destination: SecretDestination): Promise<GitHubPublicKey> {
    const { route, params } = secretsRoute(destination);
    return this.#request<GitHubPublicKey>(`GET ${route}/public-key`, params);
  }

  /** When a secret was last written, or undefined when it does not exist. GitHub never returns values. */
  async secretUpdatedAt(destination: SecretDestination, name: string): Promise<string | undefined> {
    const { route, params } = secretsRoute(destination);
    try {
      return (await this.#request<{ updated_at: string }>(`GET ${route}/{secret_name}`, { ...params, secret_name: name })).updated_at;
    } catch (error) {
      if (error instanceof GitHubRequestError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Creates or updates one secret; `created` mirrors GitHub's 201, `updated` its 204. */
  async put(destination: SecretDestination, name: string, sealed: SealedSecret, selectedRepositoryIds: readonly number[] = []): Promise<"created" | "updated"> {
    const { route, params } = secretsRoute(destination);
    const organization =
      destination.kind === "organization"
        ? { visibility: destination.visibility, ...(destination.visibility === "selected" ? { selected_repository_ids: [...selectedRepositoryIds] } : {}) }
        : {};
    const status = await this.#status(`PUT ${route}/{secret_name}`, { ...params, secret_name: name, ...sealed, ...organization });
    return status === 201 ? "created" : "updated";
  }

  async #request<T>(route: string, params: Record<string, unknown>): Promise<T> {
    try {
      return (await this.#octokit.request(route, { ...params, headers: HEADERS })).data as T;
    } catch (error) {
      throw toGitHubRequestError(error, route, params);
    }
  }

  async #status(route: string, params: Record<string, unknown>): Promise<number> {
    try {
      return (await this.#octokit.request(route, { ...params, headers: HEADERS })).status;
    } catch (error) {
      throw toGitHubRequestError(error, route, params);
    }
  }
}

function secretsRoute(destination: SecretDestination): { route: string; params: Record<string, string> } {
  switch (destination.kind) {
    case "repository": {
      const [owner, repo] = destination.repository.split("/") as [string, string];
      return { route: `/repos/{owner}/{repo}/${destination.app}/secrets`, params: { owner, repo } };
    }
    case "environment": {
      const [owner, repo] = destination.repository.split("/") as [string, string];
      return { route: "/repos/{owner}/{repo}/environments/{environment_name}/secrets", params: { owner, repo, environment_name: destination.environment } };
    }
    case "organization":
      return { route: `/orgs/{org}/${destination.app}/secrets`, params: { org: destination.org } };
  }
}

/**
 * Octokit's `RequestError` holds the request (with the sealed value) and the whole response; only
 * the status and GitHub's one-line message survive into ours.
 */
function toGitHubRequestError(error: unknown, route: string, params: Record<string, unknown>): Error {
  const status = (error as { status?: unknown }).status;
  if (typeof status !== "number") return new GitHubSecretsError(`Could not reach GitHub for ${expand(route, params)}: ${(error as Error).message.split("\n", 1)[0]}`);
  const data = (error as { response?: { data?: unknown } }).response?.data;
  const message = typeof data === "object" && data !== null && typeof (data as { message?: unknown }).message === "string" ? (data as { message: string }).message : "";
  return new GitHubRequestError(status, expand(route, params), message.split("\n", 1)[0] ?? "");
}

function expand(route: string, params: Record<string, unknown>): string {
  return route.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params[name] ?? `{${name}}`)));
}

function pathOf(url: string): string {
  return new URL(url, "http://github.invalid").pathname;
}
