import { randomUUID } from "node:crypto";
import { type ExchangeTokenResponse, type Health, ProjectName, routes, Secret, type VerifyRequest, type VerifyResponse } from "@keyward/contract";
import type { Dispatcher } from "undici";
import { Audit } from "./audit";
import { Keys } from "./keys";
import { Projects } from "./projects";
import { defaultRetryPolicy, type RetryPolicy } from "./retry";
import { Scopes } from "./scopes";
import { Tokens } from "./tokens";
import { TrustPolicies } from "./trust-policies";
import { type RequestOptions, Transport } from "./transport";
import { Webhooks } from "./webhooks";
import { Verifier, type VerifierOptions } from "./verifier";

export const CLIENT_VERSION = "0.1.0";

export interface KeywardOptions {
  /** The key service, e.g. `http://127.0.0.1:8787`. A path prefix is kept. */
  readonly url: string | URL;
  /** A management token (`kwm_…`). Held as a `Secret`; it never appears in an error or a log. */
  readonly token: string | Secret;
  /** Per attempt, in milliseconds. @default 30000 */
  readonly timeoutMs?: number;
  /** Retries after the first attempt on network errors, timeouts, 429 and 5xx. @default 2 */
  readonly maxRetries?: number;
  /** An undici dispatcher (Agent, Pool, MockAgent). @default undici's global dispatcher */
  readonly dispatcher?: Dispatcher;
  /** @default `keyward-client/<version> node/<version>` */
  readonly userAgent?: string;
  /** Waits between retries; tests pass a fake. @default setTimeout */
  readonly sleep?: RetryPolicy["sleep"];
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: RetryPolicy["random"];
  /** Makes the `Idempotency-Key` of a POST when the call gives none. @default crypto.randomUUID */
  readonly idempotencyKey?: () => string;
}

export type ExchangeIdTokenOptions = Omit<KeywardOptions, "token"> & {
  /** The OIDC ID token, e.g. from `core.getIDToken(audience)` in a GitHub Actions job. */
  readonly idToken: string | Secret;
};

/** A management token minted by the exchange: the secret only as a `Secret`. */
export type ExchangedToken = Omit<ExchangeTokenResponse, "secret"> & { readonly secret: Secret };

export type VerifyParams = Omit<VerifyRequest, "key"> & {
  /** The API key presented by your caller. */
  readonly key: Secret | string;
};

/**
 * The Keyward API client.
 *
 * ```ts
 * const keyward = new Keyward({ url: process.env.KEYWARD_URL!, token: process.env.KEYWARD_TOKEN! });
 * const { key, secret } = await keyward.keys.create({ project: "billing-api", environment: "live", name: "ci", scopes: ["invoices:read"] });
 * ```
 */
export class Keyward {
  readonly projects: Projects;
  readonly scopes: Scopes;
  readonly keys: Keys;
  readonly tokens: Tokens;
  readonly trustPolicies: TrustPolicies;
  readonly audit: Audit;
  readonly webhooks: Webhooks;
  readonly #transport: Transport;

  constructor(options: KeywardOptions) {
    this.#transport = transportOf(options, tokenOption(options.token));
    this.projects = new Projects(this.#transport);
    this.scopes = new Scopes(this.#transport);
    this.keys = new Keys(this.#transport);
    this.tokens = new Tokens(this.#transport);
    this.trustPolicies = new TrustPolicies(this.#transport);
    this.audit = new Audit(this.#transport);
    this.webhooks = new Webhooks(this.#transport);
  }

  /**
   * Exchanges an OIDC ID token for a short-lived management token under a matching trust policy
   * (SPEC §14); no management token is needed for the call. Use the result's `secret` as `token`.
   *
   * ```ts
   * const { secret } = await Keyward.exchangeIdToken({ url, idToken: await core.getIDToken(url) });
   * const keyward = new Keyward({ url, token: secret });
   * ```
   */
  static async exchangeIdToken(options: ExchangeIdTokenOptions, requestOptions?: RequestOptions): Promise<ExchangedToken> {
    const jwt = options.idToken instanceof Secret ? options.idToken.reveal() : options.idToken;
    if (typeof jwt !== "string" || jwt.trim() === "") throw new TypeError("Invalid idToken: expected an OIDC ID token (a signed JWT).");
    const transport = transportOf(options, undefined);
    const { data } = await transport.call(routes.exchangeToken, { body: { jwt: jwt.trim() } }, requestOptions);
    return { ...data, secret: new Secret(data.secret) };
  }

  /**
   * A client configured from `KEYWARD_URL` and `KEYWARD_TOKEN` (SPEC §4). Fails with a message
   * naming the missing variable.
   */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env, options: Omit<KeywardOptions, "url" | "token"> = {}): Keyward {
    for (const name of ["KEYWARD_URL", "KEYWARD_TOKEN"] as const) {
      if (!env[name]) throw new TypeError(`${name} is not set. Set it to the key service ${name === "KEYWARD_URL" ? "URL, e.g. http://127.0.0.1:8787" : "management token (kwm_…)"}.`);
    }
    return new Keyward({ ...options, url: env.KEYWARD_URL as string, token: env.KEYWARD_TOKEN as string });
  }

  /** Liveness and database reachability (no token needed). */
  async health(options?: RequestOptions): Promise<Health> {
    return (await this.#transport.call(routes.health, {}, options)).data;
  }

  /**
   * Checks an API key. Always answers for a well-formed request: `{valid: false, code: "REVOKED"}`
   * is an answer, not an error.
   */
  async verify(params: VerifyParams, options?: RequestOptions): Promise<VerifyResponse> {
    const key = params.key instanceof Secret ? params.key.reveal() : params.key;
    return (await this.#transport.call(routes.verifyKey, { body: { ...params, key } }, options)).data;
  }

  /**
   * An in-process verifier for one project (SPEC §16): loads a snapshot of its keys, follows the
   * server's change stream, and answers as `verify()` would, in microseconds. The token needs
   * `keys:verify`. Call `close()` when done.
   *
   * ```ts
   * const verifier = await keyward.verifier({ project: "billing-api", environment: "live" });
   * const { valid } = verifier.verifySync(presented, { scopes: ["invoices:read"] });
   * ```
   */
  async verifier(options: VerifierOptions): Promise<Verifier> {
    if (!ProjectName.safeParse(options?.project).success) {
      throw new TypeError("Invalid project: expected a project name (2-63 characters: a lowercase letter, then lowercase letters, digits or '-').");
    }
    if (options.environment !== undefined && options.environment !== "test" && options.environment !== "live") {
      throw new TypeError(`Invalid environment '${String(options.environment)}'. Expected "test" or "live".`);
    }
    return Verifier.open(this.#transport, options);
  }
}

function transportOf(options: Omit<KeywardOptions, "token">, token: Secret | undefined): Transport {
  return new Transport({
    url: urlOption(options.url),
    token,
    timeoutMs: positiveOption("timeoutMs", options.timeoutMs, 30_000),
    retry: {
      ...defaultRetryPolicy,
      maxRetries: retriesOption(options.maxRetries),
      sleep: options.sleep ?? defaultRetryPolicy.sleep,
      random: options.random ?? defaultRetryPolicy.random,
    },
    dispatcher: options.dispatcher,
    userAgent: options.userAgent ?? `keyward-client/${CLIENT_VERSION} node/${process.versions.node}`,
    newIdempotencyKey: options.idempotencyKey ?? randomUUID,
    now: Date.now,
  });
}

function urlOption(value: string | URL): URL {
  const url = URL.canParse(String(value)) ? new URL(String(value)) : undefined;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new TypeError(`Invalid url '${String(value)}'. Expected an http or https URL such as http://127.0.0.1:8787.`);
  }
  return url;
}

function tokenOption(value: string | Secret): Secret {
  if (value instanceof Secret) return value;
  // The value itself is never quoted: a token in an error message would end up in a log.
  if (typeof value !== "string" || value.trim() === "") throw new TypeError("Invalid token: expected a management token (kwm_…).");
  return new Secret(value.trim());
}

function positiveOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`Invalid ${name} '${value}'. Expected a positive number of milliseconds.`);
  return value;
}

function retriesOption(value: number | undefined): number {
  if (value === undefined) return defaultRetryPolicy.maxRetries;
  if (!Number.isInteger(value) || value < 0 || value > 10) throw new TypeError(`Invalid maxRetries '${value}'. Expected a whole number from 0 to 10.`);
  return value;
}
