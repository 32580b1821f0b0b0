import { ConnectionError, KeywardError, TimeoutError } from "./keyward-error";

export interface RetryPolicy {
  /** Attempts after the first one. 0 disables retries. */
  readonly maxRetries: number;
  /** The backoff ceiling of the first retry; it doubles with each further retry. */
  readonly baseDelayMs: number;
  /** No single wait is longer than this, whatever the backoff or the server says. */
  readonly maxDelayMs: number;
  readonly sleep: (milliseconds: number) => Promise<void>;
  /** A number in [0, 1), as `Math.random`. */
  readonly random: () => number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 2,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
  random: Math.random,
};

/**
 * Whether a failed attempt may be tried again: the request may not have arrived (network errors,
 * timeouts) or the server asked us to come back (429, 5xx). A 4xx other than 429 will fail the
 * same way again. Retrying a POST is safe because every POST carries the same `Idempotency-Key`
 * on every attempt (SPEC §3, §5): the server answers a repeat with the saved answer.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectionError || error instanceof TimeoutError) return true;
  if (!(error instanceof KeywardError) || error.status === undefined) return false;
  return error.status === 429 || error.status >= 500;
}

/**
 * How long to wait before retry number `retry` (1-based). The server's `Retry-After` wins when it
 * gave one; otherwise exponential backoff with full jitter (a uniform wait in [0, base·2^(n-1)]),
 * which spreads clients that failed together instead of sending them back in lockstep.
 */
export function retryDelay(retry: number, error: unknown, policy: RetryPolicy): number {
  const hinted = error instanceof KeywardError ? error.retryAfterMs : undefined;
  if (hinted !== undefined) return Math.min(hinted, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(policy.random() * ceiling);
}

/**
 * Runs `attempt` until it succeeds, fails with an error that is not retryable, or has been
 * retried `maxRetries` times; then throws the last error. `attempt` receives its 0-based number.
 */
export async function withRetries<T>(attempt: (attemptNumber: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt(retry);
    } catch (error) {
      if (retry >= policy.maxRetries || !isRetryable(error)) throw error;
      await policy.sleep(retryDelay(retry + 1, error, policy));
    }
  }
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
