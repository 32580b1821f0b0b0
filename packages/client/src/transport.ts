import { describeIssues, type Route, type Secret, summarizeIssues } from "@keyward/contract";
import type { Dispatcher } from "undici";
import type { z } from "zod";
import { ConnectionError, errorFromResponse, InvalidResponseError, KeywardError, TimeoutError } from "./keyward-error";
import { parseRetryAfter, type RetryPolicy, withRetries } from "./retry";

/**
 * undici, loaded at the first request rather than with the client: most processes of the Terraform
 * provider build their resources (and this client's module) but never send a request (issue 14).
 */
const undici = () => import("undici");

/** Per-call settings, the last argument of every resource method. */
export interface RequestOptions {
  /**
   * Sent as `Idempotency-Key` on a POST. Default: a fresh random key per call, reused by every
   * retry of that call. Pass your own to make a call safe to repeat across process restarts.
   */
  readonly idempotencyKey?: string;
  /** Overrides the client's `timeoutMs` for this call (per attempt). */
  readonly timeoutMs?: number;
  /** Overrides the client's `maxRetries` for this call. */
  readonly maxRetries?: number;
  /** Abandons the call (and its retries) when aborted. */
  readonly signal?: AbortSignal;
}

export interface TransportSettings {
  readonly url: URL;
  /** Absent only for a client that calls public routes (the token exchange). */
  readonly token: Secret | undefined;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly dispatcher: Dispatcher | undefined;
  readonly userAgent: string;
  readonly newIdempotencyKey: () => string;
  readonly now: () => number;
}

export interface CallInput {
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, unknown>>;
  readonly body?: unknown;
}

/** What a route answers, as the contract parses it. */
export type ResponseOf<R extends Route> = R["response"] extends z.ZodType ? z.output<R["response"]> : undefined;

export interface Answer<R extends Route> {
  readonly status: number;
  readonly data: ResponseOf<R>;
}

/**
 * The one HTTP client: turns a route of the contract plus its input into a request, sends it with
 * undici (retrying per `withRetries`), and validates the answer with the route's response schema.
 */
export class Transport {
  readonly #settings: TransportSettings;

  constructor(settings: TransportSettings) {
    this.#settings = settings;
  }

  async call<R extends Route>(route: R, input: CallInput = {}, options: RequestOptions = {}): Promise<Answer<R>> {
    const url = this.#urlOf(route, input);
    const body = route.body === undefined ? undefined : JSON.stringify(input.body ?? {});
    const headers = this.#headersOf(route, body !== undefined, options);
    const policy = { ...this.#settings.retry, maxRetries: options.maxRetries ?? this.#settings.retry.maxRetries };
    return withRetries(() => this.#attempt(route, url, { method: route.method, headers, body }, options), policy);
  }

  /** A route whose answer is not one JSON document (the audit export's JSON lines): its body as text, after the same checks and retries. */
  async text(route: Route, input: CallInput = {}, options: RequestOptions = {}): Promise<string> {
    const url = this.#urlOf(route, input);
    const headers = this.#headersOf(route, false, options);
    const policy = { ...this.#settings.retry, maxRetries: options.maxRetries ?? this.#settings.retry.maxRetries };
    return withRetries(async () => (await this.#attempt(route, url, { method: route.method, headers, body: undefined }, options, true)).data as unknown as string, policy);
  }

  /**
   * A route that answers a stream (the verifier's Server-Sent Events): the open body once the
   * status is a success, read by the caller until `signal` aborts it. Not retried; the caller
   * reconnects with its own backoff.
   */
  async stream(route: Route, input: CallInput, signal: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const url = this.#urlOf(route, input);
    const headers = { ...this.#headersOf(route, false, {}), accept: "text/event-stream" };
    let response: Dispatcher.ResponseData;
    const { request } = await undici();
    try {
      response = await request(url, { method: route.method, headers, signal, dispatcher: this.#settings.dispatcher });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new ConnectionError({ code: "CONNECTION_FAILED", message: `${route.operationId}: could not reach ${url.origin}: ${(error as Error).message}`, cause: error });
    }
    if (response.statusCode < 200 || response.statusCode > 299) this.#answerOf(route, response.statusCode, response.headers, await response.body.text(), true);
    return response.body;
  }

  #urlOf(route: Route, input: CallInput): URL {
    const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = input.params?.[name];
      if (value === undefined || value === "") throw new TypeError(`${route.operationId}: '${name}' is required`);
      return encodeURIComponent(value);
    });
    const base = this.#settings.url;
    const url = new URL(base.pathname.replace(/\/+$/, "") + path, base);
    for (const [name, value] of Object.entries(input.query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    return url;
  }

  #headersOf(route: Route, hasBody: boolean, options: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": this.#settings.userAgent,
    };
    if (route.permission !== "public" && this.#settings.token) headers.authorization = `Bearer ${this.#settings.token.reveal()}`;
    if (hasBody) headers["content-type"] = "application/json";
    // Generated once per call, so every retry of this call presents the same key (SPEC §5).
    if (route.method === "POST") headers["idempotency-key"] = options.idempotencyKey ?? this.#settings.newIdempotencyKey();
    return headers;
  }

  async #attempt<R extends Route>(
    route: R,
    url: URL,
    init: { method: Route["method"]; headers: Record<string, string>; body: string | undefined },
    options: RequestOptions,
    asText = false,
  ): Promise<Answer<R>> {
    const timeoutMs = options.timeoutMs ?? this.#settings.timeoutMs;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
    const { request } = await undici();
    try {
      const response = await request(url, { ...init, signal, dispatcher: this.#settings.dispatcher });
      const text = await response.body.text();
      return this.#answerOf(route, response.statusCode, response.headers, text, asText);
    } catch (error) {
      if (error instanceof KeywardError) throw error;
      if (options.signal?.aborted) throw error;
      if (timeout.signal.aborted) {
        throw new TimeoutError({ code: "TIMEOUT", message: `${route.operationId}: no answer from ${url.origin} within ${timeoutMs} ms` });
      }
      throw new ConnectionError({
        code: "CONNECTION_FAILED",
        message: `${route.operationId}: could not reach ${url.origin}: ${(error as Error).message}`,
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  #answerOf<R extends Route>(route: R, status: number, headers: Record<string, string | string[] | undefined>, text: string, asText: boolean): Answer<R> {
    const requestId = firstHeader(headers["x-request-id"]);
    if (status < 200 || status > 299) {
      const retryAfterMs = parseRetryAfter(firstHeader(headers["retry-after"]), this.#settings.now());
      throw errorFromResponse({ status, body: text, requestId, retryAfterMs });
    }
    if (asText) return { status, data: text as ResponseOf<R> };
    if (route.response === undefined) return { status, data: undefined as ResponseOf<R> };
    const parsed = route.response.safeParse(parseJsonOrUndefined(text));
    if (!parsed.success) {
      const details = describeIssues("response", parsed.error);
      throw new InvalidResponseError({
        code: "INVALID_RESPONSE",
        message: `${route.operationId}: the answer does not match the Keyward API: ${summarizeIssues(details)}`,
        status,
        requestId,
        details,
      });
    }
    return { status, data: parsed.data as ResponseOf<R> };
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
