import { generateKeyPairSync, type KeyObject, randomInt, sign } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import sodium from "libsodium-wrappers";
import {
  describeLocation,
  type GitHubPermission,
  locationKey,
  requiredPermissions,
  type SecretApp,
  type SecretLocation,
} from "./secret-location";

/**
 * An emulator of the parts of GitHub's REST API that the action talks to, on 127.0.0.1, with the
 * rules GitHub enforces (docs.github.com/rest/actions/secrets, /rest/dependabot/secrets):
 * per-location sealed-box key pairs, secret name rules, the 48 KB limit, key ids, org visibility,
 * token permissions, 201 vs 204, rate-limit headers. It decrypts what it receives with libsodium
 * so a test can read back the value a workflow would get. Failures can be injected per route, and
 * every request is recorded.
 */

export type RouteName =
  | "get-repository"
  | "get-public-key"
  | "put-secret"
  | "get-secret"
  | "list-secrets"
  | "list-issue-comments"
  | "create-issue-comment"
  | "update-issue-comment"
  | "delete-issue-comment"
  | "secret-scanning-keys";

export interface InjectedFailure {
  readonly status: 403 | 404 | 422 | 429 | 500 | 502 | 503;
  /** How many matching requests fail. @default 1 */
  readonly times?: number;
  /** Only requests whose path contains this fail, e.g. a secret name or a repository. */
  readonly pathIncludes?: string;
  /** Seconds, sent as `retry-after` (GitHub's secondary rate limit). */
  readonly retryAfter?: number;
  /** Sends `x-ratelimit-remaining: 0` and this reset time (epoch seconds): a primary rate limit. */
  readonly rateLimitReset?: number;
  readonly message?: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly route: RouteName | "unknown";
  readonly status: number;
  /** The parsed JSON body (an encrypted value is ciphertext, safe to keep). */
  readonly body: unknown;
  readonly apiVersion: string | undefined;
  readonly userAgent: string | undefined;
  /** The token that made the request; tests check which credential reached GitHub. */
  readonly token: string | undefined;
  readonly injected: boolean;
}

export interface StoredSecret {
  readonly name: string;
  readonly value: string;
  readonly keyId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly visibility?: "all" | "private" | "selected";
  readonly selectedRepositoryIds?: readonly number[];
}

export interface Repository {
  readonly id: number;
  readonly owner: string;
  readonly name: string;
  readonly fullName: string;
  readonly environments: Set<string>;
}

/** A comment on an issue or pull request (pull request comments are issue comments on GitHub). */
export interface IssueComment {
  readonly id: number;
  readonly body: string;
  readonly login: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface KeyPair {
  keyId: string;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

export interface TokenGrant {
  /** Who comments made with this token are by. @default "github-actions[bot]" */
  readonly login?: string;
  /** `owner/repo` → permissions on that repository. */
  readonly repositories?: Readonly<Record<string, readonly GitHubPermission[]>>;
  /** org → permissions on the organization (and `metadata` on its repositories). */
  readonly organizations?: Readonly<Record<string, readonly GitHubPermission[]>>;
}

const MAX_SECRET_BYTES = 48 * 1024;
/** GitHub's limits on how many secrets a place holds (docs: "Limits for secrets"). */
const MAX_SECRETS: Record<SecretLocation["kind"], number> = { repository: 100, environment: 100, organization: 1000 };
const API_VERSIONS = ["2022-11-28", "2026-03-10"];
const MAX_BODY_BYTES = 1024 * 1024;
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOCS = "https://docs.github.com/rest";

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Context {
  readonly request: IncomingMessage;
  readonly params: string[];
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly token: string | undefined;
}

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

interface Route {
  readonly name: RouteName;
  readonly method: string;
  readonly pattern: RegExp;
  readonly handle: (context: Context) => Reply;
}

export class GitHubEmulator {
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;
  readonly #repositories = new Map<string, Repository>();
  readonly #organizations = new Set<string>();
  readonly #tokens = new Map<string, TokenGrant>();
  readonly #keyPairs = new Map<string, KeyPair>();
  readonly #secrets = new Map<string, Map<string, StoredSecret>>();
  /** `owner/repo#number` (lower-case) → its comments, oldest first. */
  readonly #comments = new Map<string, IssueComment[]>();
  #nextCommentId = 1_000_000;
  readonly #failures: Array<{ route: RouteName; failure: InjectedFailure; remaining: number }> = [];
  readonly #routes: Route[];
  #nextRepositoryId = 100_000;
  #rateLimitUsed = 0;
  #url = "";
  /** GitHub's secret scanning signing key (ECDSA P-256): partner alerts are signed with it. */
  readonly #scanningKey = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  readonly secretScanningKeyIdentifier = "bcb53661c06b4728e59d897fb6165d5c9cda0fd9cdf9d09ead458168deb7518c";

  readonly #now: () => Date;

  private constructor(now: () => Date) {
    this.#now = now;
    this.#server = createServer((request, response) => {
      this.#serve(request, response).catch((error: unknown) => {
        response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ message: `emulator error: ${(error as Error).message}` }));
      });
    });
    this.#routes = this.#routeTable();
  }

  /** Starts on an ephemeral port of 127.0.0.1. `now` stamps `created_at`/`updated_at` (a test's clock). */
  static async start(options: { now?: () => Date } = {}): Promise<GitHubEmulator> {
    await sodium.ready;
    const emulator = new GitHubEmulator(options.now ?? (() => new Date()));
    await new Promise<void>((resolve) => emulator.#server.listen(0, "127.0.0.1", resolve));
    const { port } = emulator.#server.address() as AddressInfo;
    emulator.#url = `http://127.0.0.1:${port}`;
    return emulator;
  }

  /** The API base URL, what a runner puts in `GITHUB_API_URL`. */
  get url(): string {
    return this.#url;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  addRepository(fullName: string, options: { environments?: readonly string[] } = {}): Repository {
    const [owner, name] = fullName.split("/");
    if (!owner || !name) throw new TypeError(`repository '${fullName}' is not owner/name`);
    const repository: Repository = {
      id: this.#nextRepositoryId++,
      owner,
      name,
      fullName,
      environments: new Set(options.environments ?? []),
    };
    this.#repositories.set(fullName.toLowerCase(), repository);
    return repository;
  }

  addOrganization(org: string): void {
    this.#organizations.add(org.toLowerCase());
  }

  addToken(token: string, grant: TokenGrant): void {
    this.#tokens.set(token, grant);
  }

  /** An open pull request (or issue) that comments can be posted on. */
  addPullRequest(repository: string, number: number): void {
    const key = issueKey(repository, number);
    if (!this.#comments.has(key)) this.#comments.set(key, []);
  }

  /** A comment someone else already wrote, e.g. to check a sticky comment is not confused with it. */
  addComment(repository: string, number: number, body: string, login = "octocat"): IssueComment {
    this.addPullRequest(repository, number);
    const now = this.#now().toISOString();
    const comment = { id: this.#nextCommentId++, body, login, createdAt: now, updatedAt: now };
    this.#comments.get(issueKey(repository, number))!.push(comment);
    return comment;
  }

  /** The comments of a pull request, oldest first. */
  comments(repository: string, number: number): readonly IssueComment[] {
    return this.#comments.get(issueKey(repository, number)) ?? [];
  }

  /** The next `times` matching requests to `route` fail with `failure.status`. */
  failNext(route: RouteName, failure: InjectedFailure): void {
    this.#failures.push({ route, failure, remaining: failure.times ?? 1 });
  }

  /**
   * The headers GitHub sends with a secret scanning partner alert: `body` signed (ECDSA over
   * SHA-256, DER, base64) with the key `GET /meta/public_keys/secret_scanning` publishes.
   */
  signSecretScanningAlert(body: string): Record<string, string> {
    return {
      "github-public-key-identifier": this.secretScanningKeyIdentifier,
      "github-public-key-signature": sign("sha256", Buffer.from(body, "utf8"), this.#scanningKey.privateKey as KeyObject).toString("base64"),
    };
  }

  /** The key pair of a location; created on first use, like GitHub does. */
  publicKey(location: SecretLocation): { key_id: string; key: string } {
    const pair = this.#keyPair(location);
    return { key_id: pair.keyId, key: Buffer.from(pair.publicKey).toString("base64") };
  }

  /** Replaces a location's key pair: a value sealed for the old key id is now refused. */
  rotatePublicKey(location: SecretLocation): void {
    this.#keyPairs.delete(locationKey(location));
    this.#keyPair(location);
  }

  secret(location: SecretLocation, name: string): StoredSecret | undefined {
    return this.#secrets.get(locationKey(location))?.get(name.toUpperCase());
  }

  /** The decrypted value a workflow would receive as `secrets.<name>`. */
  secretValue(location: SecretLocation, name: string): string | undefined {
    return this.secret(location, name)?.value;
  }

  secretNames(location: SecretLocation): string[] {
    return [...(this.#secrets.get(locationKey(location))?.keys() ?? [])];
  }

  /** Requests to `route`, in arrival order. */
  requestsTo(route: RouteName): RecordedRequest[] {
    return this.requests.filter((request) => request.route === route);
  }

  #keyPair(location: SecretLocation): KeyPair {
    const key = locationKey(location);
    const existing = this.#keyPairs.get(key);
    if (existing) return existing;
    const { publicKey, privateKey } = sodium.crypto_box_keypair();
    // GitHub's key ids are long decimal strings.
    const pair = { keyId: `${randomInt(1e9, 9e9)}${randomInt(1e8, 9e8)}`, publicKey, privateKey };
    this.#keyPairs.set(key, pair);
    return pair;
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.#url);
    const path = url.pathname;
    const raw = await readBody(request);
    const token = bearerToken(request.headers.authorization);
    const match = this.#match(request.method ?? "GET", path);
    const record = (status: number, body: unknown, injected: boolean) =>
      this.requests.push({
        method: request.method ?? "GET",
        path,
        route: match?.route.name ?? "unknown",
        status,
        body,
        apiVersion: header(request, "x-github-api-version"),
        userAgent: header(request, "user-agent"),
        token,
        injected,
      });

    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw) : undefined;
    } catch {
      record(400, raw, false);
      return this.#send(response, { status: 400, body: { message: "Problems parsing JSON" } });
    }
    const apiVersion = header(request, "x-github-api-version");
    if (apiVersion !== undefined && !API_VERSIONS.includes(apiVersion)) {
      record(400, body, false);
      return this.#send(response, { status: 400, body: { message: `Unsupported 'X-GitHub-Api-Version' header '${apiVersion}'` } });
    }
    if (!match) {
      record(404, body, false);
      return this.#send(response, { status: 404, body: { message: "Not Found" } });
    }
    const injected = this.#takeFailure(match.route.name, path);
    if (injected) {
      record(injected.status, body, true);
      return this.#sendFailure(response, injected);
    }
    const reply = this.#handle(match.route, { request, params: match.params, query: url.searchParams, body, token });
    record(reply.status, body, false);
    this.#send(response, reply, reply.headers);
  }

  #handle(route: Route, context: Context): Reply {
    try {
      return route.handle(context);
    } catch (error) {
      if (error instanceof HttpError) return { status: error.status, body: { message: error.message } };
      throw error;
    }
  }

  #match(method: string, path: string): { route: Route; params: string[] } | undefined {
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const found = route.pattern.exec(path);
      if (found) return { route, params: found.slice(1).map((part) => decodeURIComponent(part)) };
    }
    return undefined;
  }

  #takeFailure(route: RouteName, path: string): InjectedFailure | undefined {
    const index = this.#failures.findIndex(
      (entry) => entry.route === route && (!entry.failure.pathIncludes || path.includes(entry.failure.pathIncludes)),
    );
    if (index < 0) return undefined;
    const entry = this.#failures[index]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#failures.splice(index, 1);
    return entry.failure;
  }

  #sendFailure(response: ServerResponse, failure: InjectedFailure): void {
    const headers: Record<string, string> = {};
    if (failure.retryAfter !== undefined) headers["retry-after"] = String(failure.retryAfter);
    if (failure.rateLimitReset !== undefined) {
      headers["x-ratelimit-remaining"] = "0";
      headers["x-ratelimit-reset"] = String(failure.rateLimitReset);
    }
    this.#send(response, { status: failure.status, body: { message: failure.message ?? defaultMessage(failure) } }, headers);
  }

  #send(response: ServerResponse, reply: Reply, extraHeaders: Record<string, string> = {}): void {
    this.#rateLimitUsed += 1;
    const headers: Record<string, string> = {
      "x-github-request-id": `EMU:${this.requests.length}`,
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(Math.max(0, 5000 - this.#rateLimitUsed)),
      "x-ratelimit-used": String(this.#rateLimitUsed),
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-ratelimit-resource": "core",
      ...extraHeaders,
    };
    if (reply.body === undefined) {
      response.writeHead(reply.status, headers);
      response.end();
      return;
    }
    const body = reply.status >= 400 ? { documentation_url: DOCS, status: String(reply.status), ...(reply.body as object) } : reply.body;
    response.writeHead(reply.status, { ...headers, "content-type": "application/json; charset=utf-8" });
    response.end(JSON.stringify(body));
  }

  #routeTable(): Route[] {
    const segment = "([^/]+)";
    const repo = `/repos/${segment}/${segment}`;
    const org = `/orgs/${segment}`;
    const app = "(actions|dependabot)";
    const route = (name: RouteName, method: string, path: string, handle: Route["handle"]): Route => ({
      name,
      method,
      pattern: new RegExp(`^${path}/?$`),
      handle,
    });
    return [
      route("get-repository", "GET", repo, (c) => this.#getRepository(c)),
      route("get-public-key", "GET", `${repo}/environments/${segment}/secrets/public-key`, (c) =>
        this.#getPublicKey(c, this.#environmentLocation(c.params)),
      ),
      route("get-public-key", "GET", `${repo}/${app}/secrets/public-key`, (c) => this.#getPublicKey(c, this.#repositoryLocation(c.params))),
      route("get-public-key", "GET", `${org}/${app}/secrets/public-key`, (c) => this.#getPublicKey(c, this.#organizationLocation(c.params))),
      route("list-secrets", "GET", `${repo}/environments/${segment}/secrets`, (c) => this.#listSecrets(c, this.#environmentLocation(c.params))),
      route("list-secrets", "GET", `${repo}/${app}/secrets`, (c) => this.#listSecrets(c, this.#repositoryLocation(c.params))),
      route("list-secrets", "GET", `${org}/${app}/secrets`, (c) => this.#listSecrets(c, this.#organizationLocation(c.params))),
      route("get-secret", "GET", `${repo}/environments/${segment}/secrets/${segment}`, (c) =>
        this.#getSecret(c, this.#environmentLocation(c.params), c.params[3]!),
      ),
      route("get-secret", "GET", `${repo}/${app}/secrets/${segment}`, (c) => this.#getSecret(c, this.#repositoryLocation(c.params), c.params[3]!)),
      route("get-secret", "GET", `${org}/${app}/secrets/${segment}`, (c) => this.#getSecret(c, this.#organizationLocation(c.params), c.params[2]!)),
      route("put-secret", "PUT", `${repo}/environments/${segment}/secrets/${segment}`, (c) =>
        this.#putSecret(c, this.#environmentLocation(c.params), c.params[3]!),
      ),
      route("put-secret", "PUT", `${repo}/${app}/secrets/${segment}`, (c) => this.#putSecret(c, this.#repositoryLocation(c.params), c.params[3]!)),
      route("put-secret", "PUT", `${org}/${app}/secrets/${segment}`, (c) => this.#putSecret(c, this.#organizationLocation(c.params), c.params[2]!)),
      route("list-issue-comments", "GET", `${repo}/issues/(\\d+)/comments`, (c) => this.#listComments(c)),
      route("create-issue-comment", "POST", `${repo}/issues/(\\d+)/comments`, (c) => this.#createComment(c)),
      route("update-issue-comment", "PATCH", `${repo}/issues/comments/(\\d+)`, (c) => this.#updateComment(c)),
      route("delete-issue-comment", "DELETE", `${repo}/issues/comments/(\\d+)`, (c) => this.#deleteComment(c)),
      // Public on GitHub: no token needed.
      route("secret-scanning-keys", "GET", "/meta/public_keys/secret_scanning", () => ({
        status: 200,
        body: {
          public_keys: [
            { key_identifier: this.secretScanningKeyIdentifier, key: this.#scanningKey.publicKey.export({ type: "spki", format: "pem" }).toString(), is_current: true },
          ],
        },
      })),
    ];
  }

  #repositoryLocation(params: string[]): SecretLocation {
    return { kind: "repository", repository: `${params[0]}/${params[1]}`, app: params[2] as SecretApp };
  }

  #environmentLocation(params: string[]): SecretLocation {
    return { kind: "environment", repository: `${params[0]}/${params[1]}`, environment: params[2]! };
  }

  #organizationLocation(params: string[]): SecretLocation {
    return { kind: "organization", org: params[0]!, app: params[1] as SecretApp };
  }

  #getRepository(context: Context): Reply {
    const repository = this.#visibleRepository(context, `${context.params[0]}/${context.params[1]}`);
    return {
      status: 200,
      body: {
        id: repository.id,
        name: repository.name,
        full_name: repository.fullName,
        owner: { login: repository.owner },
        private: true,
      },
    };
  }

  #getPublicKey(context: Context, location: SecretLocation): Reply {
    this.#authorize(context, location);
    return { status: 200, body: this.publicKey(location) };
  }

  #listSecrets(context: Context, location: SecretLocation): Reply {
    this.#authorize(context, location);
    const secrets = [...(this.#secrets.get(locationKey(location))?.values() ?? [])].map(publicView);
    return { status: 200, body: { total_count: secrets.length, secrets } };
  }

  #getSecret(context: Context, location: SecretLocation, name: string): Reply {
    this.#authorize(context, location);
    const secret = this.secret(location, name);
    if (!secret) throw new HttpError(404, "Not Found");
    return { status: 200, body: publicView(secret) };
  }

  #putSecret(context: Context, location: SecretLocation, name: string): Reply {
    this.#authorize(context, location);
    checkSecretName(name);
    const body = requireObject(context.body);
    const keyId = requireString(body, "key_id");
    const encrypted = requireString(body, "encrypted_value");
    const pair = this.#keyPair(location);
    if (keyId !== pair.keyId) throw new HttpError(422, `Invalid request.\n\nkey_id ${keyId} does not match the current public key.`);
    const value = openSealedBox(encrypted, pair);
    if (Buffer.byteLength(value) > MAX_SECRET_BYTES) throw new HttpError(422, "Invalid request.\n\nSecret value is too large (maximum 48 KB).");
    const orgSettings = location.kind === "organization" ? this.#orgVisibility(location.org, body) : {};

    const store = this.#secrets.get(locationKey(location)) ?? new Map<string, StoredSecret>();
    this.#secrets.set(locationKey(location), store);
    const upper = name.toUpperCase();
    const existing = store.get(upper);
    if (!existing && store.size >= MAX_SECRETS[location.kind]) {
      throw new HttpError(422, `Invalid request.\n\nThe ${describeLocation(location)} already hold ${store.size} secrets, the most GitHub allows.`);
    }
    const now = this.#now().toISOString();
    store.set(upper, { name: upper, value, keyId, createdAt: existing?.createdAt ?? now, updatedAt: now, ...orgSettings });
    return existing ? { status: 204 } : { status: 201, body: {} };
  }

  /** GitHub pages lists with `per_page` (default 30, at most 100) and `page`, and a `Link` header. */
  #listComments(context: Context): Reply {
    // Reading comments needs only read access to the repository; writing needs the permission.
    const repository = this.#visibleRepository(context, `${context.params[0]}/${context.params[1]}`);
    const all = this.#issueComments(repository, Number(context.params[2]));
    const perPage = Math.min(100, Math.max(1, Number(context.query.get("per_page") ?? 30) || 30));
    const page = Math.max(1, Number(context.query.get("page") ?? 1) || 1);
    const slice = all.slice((page - 1) * perPage, page * perPage);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const link = (n: number, rel: string) => `<${this.#url}/repos/${repository.fullName}/issues/${context.params[2]}/comments?per_page=${perPage}&page=${n}>; rel="${rel}"`;
    const links = [page < last ? link(page + 1, "next") : "", page < last ? link(last, "last") : ""].filter(Boolean);
    return { status: 200, body: slice.map((comment) => this.#commentView(repository, comment)), headers: links.length > 0 ? { link: links.join(", ") } : {} };
  }

  #createComment(context: Context): Reply {
    const repository = this.#commentable(context);
    const comments = this.#issueComments(repository, Number(context.params[2]));
    const body = commentBody(context.body);
    const now = this.#now().toISOString();
    const comment = { id: this.#nextCommentId++, body, login: this.#grant(context).login ?? "github-actions[bot]", createdAt: now, updatedAt: now };
    comments.push(comment);
    return { status: 201, body: this.#commentView(repository, comment) };
  }

  #updateComment(context: Context): Reply {
    const repository = this.#commentable(context);
    const { list, index } = this.#findComment(repository, Number(context.params[2]));
    const updated = { ...list[index]!, body: commentBody(context.body), updatedAt: this.#now().toISOString() };
    list[index] = updated;
    return { status: 200, body: this.#commentView(repository, updated) };
  }

  #deleteComment(context: Context): Reply {
    const repository = this.#commentable(context);
    const { list, index } = this.#findComment(repository, Number(context.params[2]));
    list.splice(index, 1);
    return { status: 204 };
  }

  /** Commenting needs `pull_requests` or `issues` write on the repository (GITHUB_TOKEN has it with `pull-requests: write`). */
  #commentable(context: Context): Repository {
    const repository = this.#visibleRepository(context, `${context.params[0]}/${context.params[1]}`);
    const grant = this.#grant(context);
    const held = [...(findIgnoringCase(grant.repositories, repository.fullName) ?? []), ...(findIgnoringCase(grant.organizations, repository.owner) ?? [])];
    if (!held.includes("pull_requests") && !held.includes("issues")) {
      throw new HttpError(403, "Resource not accessible by integration");
    }
    return repository;
  }

  #issueComments(repository: Repository, number: number): IssueComment[] {
    const comments = this.#comments.get(issueKey(repository.fullName, number));
    if (!comments) throw new HttpError(404, "Not Found");
    return comments;
  }

  #findComment(repository: Repository, id: number): { list: IssueComment[]; index: number } {
    const prefix = `${repository.fullName.toLowerCase()}#`;
    for (const [key, list] of this.#comments) {
      const index = list.findIndex((comment) => comment.id === id);
      if (key.startsWith(prefix) && index >= 0) return { list, index };
    }
    throw new HttpError(404, "Not Found");
  }

  #commentView(repository: Repository, comment: IssueComment): Record<string, unknown> {
    return {
      id: comment.id,
      node_id: `IC_${comment.id}`,
      body: comment.body,
      user: { login: comment.login, type: comment.login.endsWith("[bot]") ? "Bot" : "User" },
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      html_url: `https://github.com/${repository.fullName}/pull/0#issuecomment-${comment.id}`,
      url: `${this.#url}/repos/${repository.fullName}/issues/comments/${comment.id}`,
    };
  }

  /** GitHub: `visibility` is required for org secrets; `selected_repository_ids` only with `selected`. */
  #orgVisibility(org: string, body: Record<string, unknown>): Pick<StoredSecret, "visibility" | "selectedRepositoryIds"> {
    const visibility = body.visibility;
    if (visibility !== "all" && visibility !== "private" && visibility !== "selected") {
      throw new HttpError(422, `Invalid request.\n\nvisibility must be one of all, private, selected; got ${JSON.stringify(visibility)}.`);
    }
    const ids = body.selected_repository_ids;
    if (visibility !== "selected") {
      if (ids !== undefined) throw new HttpError(422, "Invalid request.\n\nselected_repository_ids can only be set when visibility is selected.");
      return { visibility };
    }
    if (ids === undefined) return { visibility, selectedRepositoryIds: [] };
    if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(Number(id)))) {
      throw new HttpError(422, "Invalid request.\n\nselected_repository_ids must be an array of integers.");
    }
    const orgRepositoryIds = new Set([...this.#repositories.values()].filter((r) => r.owner.toLowerCase() === org.toLowerCase()).map((r) => r.id));
    const unknown = ids.map(Number).filter((id) => !orgRepositoryIds.has(id));
    if (unknown.length > 0) throw new HttpError(422, `Invalid request.\n\nRepositories ${unknown.join(", ")} are not in organization ${org}.`);
    return { visibility, selectedRepositoryIds: ids.map(Number) };
  }

  /** 401 without a known token; 404 when the token cannot see the owner; 403 when it lacks a permission. */
  #authorize(context: Context, location: SecretLocation): void {
    const grant = this.#grant(context);
    if (location.kind === "organization") {
      if (!this.#organizations.has(location.org.toLowerCase())) throw new HttpError(404, "Not Found");
      const held = findIgnoringCase(grant.organizations, location.org);
      if (!held) throw new HttpError(404, "Not Found");
      return requirePermissions(held, requiredPermissions(location), describeLocation(location));
    }
    const repository = this.#visibleRepository(context, location.repository);
    if (location.kind === "environment" && !repository.environments.has(location.environment)) throw new HttpError(404, "Not Found");
    const held = [
      ...(findIgnoringCase(grant.repositories, repository.fullName) ?? []),
      ...(findIgnoringCase(grant.organizations, repository.owner) ?? []),
    ];
    requirePermissions(held, requiredPermissions(location), describeLocation(location));
  }

  #visibleRepository(context: Context, fullName: string): Repository {
    const grant = this.#grant(context);
    const repository = this.#repositories.get(fullName.toLowerCase());
    const visible =
      repository && (findIgnoringCase(grant.repositories, repository.fullName) || findIgnoringCase(grant.organizations, repository.owner));
    if (!repository || !visible) throw new HttpError(404, "Not Found");
    return repository;
  }

  #grant(context: Context): TokenGrant {
    if (!context.token) throw new HttpError(401, "Requires authentication");
    const grant = this.#tokens.get(context.token);
    if (!grant) throw new HttpError(401, "Bad credentials");
    return grant;
  }
}

function issueKey(repository: string, number: number): string {
  return `${repository.toLowerCase()}#${number}`;
}

/** GitHub refuses an empty body and one over 65,536 characters. */
function commentBody(body: unknown): string {
  const text = requireString(requireObject(body), "body");
  if (text.length > 65_536) throw new HttpError(422, "Validation Failed: body is too long (maximum is 65536 characters)");
  return text;
}

function requirePermissions(held: readonly GitHubPermission[], needed: readonly GitHubPermission[], where: string): void {
  const missing = needed.filter((permission) => !held.includes(permission));
  if (missing.length > 0) {
    throw new HttpError(403, `Resource not accessible by personal access token (needs ${missing.join(", ")} on ${where})`);
  }
}

function findIgnoringCase<T>(record: Readonly<Record<string, T>> | undefined, name: string): T | undefined {
  const key = Object.keys(record ?? {}).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : record?.[key];
}

function checkSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new HttpError(
      422,
      "Secret names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_). Spaces are not allowed. Must start with a letter ([a-z], [A-Z]) or underscores (_).",
    );
  }
  if (name.toUpperCase().startsWith("GITHUB_")) throw new HttpError(422, "Secret names must not start with GITHUB_.");
}

function openSealedBox(encrypted: string, pair: KeyPair): string {
  try {
    const ciphertext = sodium.from_base64(encrypted, sodium.base64_variants.ORIGINAL);
    return sodium.to_string(sodium.crypto_box_seal_open(ciphertext, pair.publicKey, pair.privateKey));
  } catch {
    throw new HttpError(422, "Invalid request.\n\nencrypted_value is not a sealed box for this public key.");
  }
}

function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, "Problems parsing JSON");
  return body as Record<string, unknown>;
}

function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "") throw new HttpError(422, `Invalid request.\n\n"${field}" wasn't supplied.`);
  return value;
}

function publicView(secret: StoredSecret): Record<string, unknown> {
  return {
    name: secret.name,
    created_at: secret.createdAt,
    updated_at: secret.updatedAt,
    ...(secret.visibility ? { visibility: secret.visibility } : {}),
  };
}

function defaultMessage(failure: InjectedFailure): string {
  if (failure.retryAfter !== undefined) {
    return "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
  }
  if (failure.rateLimitReset !== undefined) return "API rate limit exceeded.";
  const messages: Record<number, string> = {
    403: "Resource not accessible by personal access token",
    404: "Not Found",
    422: "Validation Failed",
    429: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
    500: "Server Error",
    502: "Server Error",
    503: "Service Unavailable",
  };
  return messages[failure.status] ?? "Error";
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^(?:bearer|token)\s+(\S+)$/i.exec(authorization ?? "");
  return match?.[1];
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error("request body over 1 MiB");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
