import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";

/**
 * A local OIDC issuer shaped like GitHub Actions' (token.actions.githubusercontent.com), on
 * 127.0.0.1 for the tests of SPEC §14:
 * - `/.well-known/openid-configuration` and `/.well-known/jwks` (discovery and key set; the keys
 *   rotate on demand, and every fetch is counted);
 * - signed ID tokens with GitHub's Actions claim set (docs.github.com, "OpenID Connect reference":
 *   sub, repository, repository_id, repository_owner, repository_owner_id, ref, environment, run_id,
 *   job_workflow_ref, …), built with jose;
 * - the runner's ID-token request endpoint that `core.getIDToken(audience)` calls:
 *   `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=…` with `Authorization: Bearer
 *   $ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answering `{"value": "<jwt>"}`.
 */

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface SignOptions {
  /** Added to (or, with `undefined`, removed from) the default claim set. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Sign with this key instead of the current one (an unpublished key, a forged one). */
  readonly key?: SigningKey;
  /** The `kid` header; default the signing key's. */
  readonly kid?: string;
  /** Seconds from now; GitHub's ID tokens live about five minutes. @default 300 */
  readonly expiresIn?: number;
  /** Seconds from now for `iat` and `nbf`. @default 0 */
  readonly issuedIn?: number;
}

export const ALGORITHM = "RS256";

export async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const kid = randomBytes(8).toString("hex");
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: "sig" } };
}

export class OidcIssuer {
  /** The issuer URL: the `iss` of its tokens, and where its discovery document lives. */
  readonly url: string;
  /** `ACTIONS_ID_TOKEN_REQUEST_URL`, as the runner sets it (already carrying a query). */
  readonly idTokenRequestUrl: string;
  /** `ACTIONS_ID_TOKEN_REQUEST_TOKEN`. */
  readonly idTokenRequestToken = `runtime-${randomBytes(24).toString("hex")}`;
  /** Claims of the tokens the runner endpoint hands out; a test may change them. */
  runnerClaims: Record<string, unknown>;
  /** How often the key set was fetched. */
  jwksFetches = 0;
  /** Every token this issuer signed, so a leak scan can look for each. */
  readonly issued: string[] = [];
  readonly #server: Server;
  readonly #now: () => Date;
  #published: SigningKey[];

  private constructor(server: Server, url: string, key: SigningKey, now: () => Date) {
    this.#server = server;
    this.url = url;
    this.idTokenRequestUrl = `${url}/_apis/actions/idtoken?api-version=2.0`;
    this.#published = [key];
    this.#now = now;
    this.runnerClaims = githubActionsClaims();
  }

  static async start(options: { now?: () => Date } = {}): Promise<OidcIssuer> {
    const key = await newSigningKey();
    let issuer: OidcIssuer | undefined;
    const server = createServer((request, response) => {
      issuer?.handle(request, response).catch(() => {
        response.statusCode = 500;
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    issuer = new OidcIssuer(server, `http://127.0.0.1:${port}`, key, options.now ?? (() => new Date()));
    return issuer;
  }

  /** The key new tokens are signed with. */
  get currentKey(): SigningKey {
    return this.#published[0] as SigningKey;
  }

  /** Publishes a new signing key and signs with it from now on; the old one stays published only with `keepPrevious`. */
  async rotateKeys(options: { keepPrevious?: boolean } = {}): Promise<SigningKey> {
    const key = await newSigningKey();
    this.#published = options.keepPrevious ? [key, ...this.#published] : [key];
    return key;
  }

  async sign(options: SignOptions = {}): Promise<string> {
    const key = options.key ?? this.currentKey;
    const now = Math.floor(this.#now().getTime() / 1000) + (options.issuedIn ?? 0);
    const claims: Record<string, unknown> = { ...this.runnerClaims, jti: randomUUID(), iss: this.url, nbf: now, iat: now, exp: now + (options.expiresIn ?? 300) };
    for (const [name, value] of Object.entries(options.claims ?? {})) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    const jwt = await new SignJWT(claims as JWTPayload).setProtectedHeader({ alg: ALGORITHM, typ: "JWT", kid: options.kid ?? key.kid }).sign(key.privateKey);
    this.issued.push(jwt);
    return jwt;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.url);
    if (url.pathname === "/.well-known/openid-configuration") {
      return json(response, 200, {
        issuer: this.url,
        jwks_uri: `${this.url}/.well-known/jwks`,
        subject_types_supported: ["public", "pairwise"],
        response_types_supported: ["id_token"],
        claims_supported: ["sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository", "repository_id", "repository_owner", "repository_owner_id", "run_id", "environment", "job_workflow_ref"],
        id_token_signing_alg_values_supported: [ALGORITHM],
        scopes_supported: ["openid"],
      });
    }
    if (url.pathname === "/.well-known/jwks") {
      this.jwksFetches += 1;
      return json(response, 200, { keys: this.#published.map((key) => key.publicJwk) });
    }
    if (url.pathname === "/_apis/actions/idtoken") {
      if (request.headers.authorization !== `Bearer ${this.idTokenRequestToken}`) return json(response, 401, { message: "Bad credentials" });
      const audience = url.searchParams.get("audience");
      const value = await this.sign({ claims: audience ? { aud: audience } : {} });
      return json(response, 200, { count: 1, value });
    }
    return json(response, 404, { message: "Not Found" });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

/**
 * The claims GitHub puts in an Actions ID token for a job of `acme/api` on `refs/heads/main` in
 * environment `production` (values as strings, as GitHub sends them).
 */
export function githubActionsClaims(overrides: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    sub: "repo:acme/api:environment:production",
    aud: "https://github.com/acme",
    ref: "refs/heads/main",
    sha: "0123456789abcdef0123456789abcdef01234567",
    repository: "acme/api",
    repository_owner: "acme",
    repository_owner_id: "65",
    repository_visibility: "private",
    repository_id: "74",
    actor: "octocat",
    actor_id: "12",
    run_id: "4242",
    run_number: "10",
    run_attempt: "1",
    runner_environment: "github-hosted",
    workflow: "Rotate Keyward keys",
    workflow_ref: "acme/api/.github/workflows/rotate.yml@refs/heads/main",
    workflow_sha: "0123456789abcdef0123456789abcdef01234567",
    job_workflow_ref: "acme/api/.github/workflows/rotate.yml@refs/heads/main",
    job_workflow_sha: "0123456789abcdef0123456789abcdef01234567",
    head_ref: "",
    base_ref: "",
    event_name: "schedule",
    ref_type: "branch",
    ref_protected: "true",
    environment: "production",
    ...overrides,
  };
}
