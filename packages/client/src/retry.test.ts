import { describe, expect, it } from "vitest";
import { BadRequestError, ConnectionError, InternalError, RateLimitedError, TimeoutError } from "./keyward-error";
import { defaultRetryPolicy, isRetryable, parseRetryAfter, type RetryPolicy, retryDelay, withRetries } from "./retry";

function policy(overrides: Partial<RetryPolicy> = {}): RetryPolicy & { waits: number[] } {
  const waits: number[] = [];
  return { ...defaultRetryPolicy, sleep: async (ms) => void waits.push(ms), random: () => 0.999, ...overrides, waits };
}

const serverError = (status: number, retryAfterMs?: number) =>
  new (status === 429 ? RateLimitedError : status >= 500 ? InternalError : BadRequestError)({ code: "INTERNAL", message: "x", status, retryAfterMs });

describe("isRetryable", () => {
  it("retries network failures, timeouts, 429 and 5xx, and nothing else", () => {
    expect(isRetryable(new ConnectionError({ code: "CONNECTION_FAILED", message: "x" }))).toBe(true);
    expect(isRetryable(new TimeoutError({ code: "TIMEOUT", message: "x" }))).toBe(true);
    expect([429, 500, 502, 503, 504].map((status) => isRetryable(serverError(status)))).toEqual([true, true, true, true, true]);
    expect([400, 401, 403, 404, 409, 413, 415].map((status) => isRetryable(serverError(status)))).toEqual(Array(7).fill(false));
    expect(isRetryable(new TypeError("bug"))).toBe(false);
  });
});

describe("retryDelay", () => {
  it("draws a uniform wait below base·2^(n-1), capped at maxDelayMs (full jitter)", () => {
    const base = policy({ baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.5 });
    expect([1, 2, 3, 4, 5, 6].map((retry) => retryDelay(retry, serverError(503), base))).toEqual([50, 100, 200, 400, 500, 500]);
    expect(retryDelay(3, serverError(503), policy({ baseDelayMs: 100, random: () => 0 }))).toBe(0);
  });

  it("prefers the server's Retry-After, within maxDelayMs", () => {
    expect(retryDelay(1, serverError(429, 7_000), policy())).toBe(7_000);
    expect(retryDelay(1, serverError(429, 3_600_000), policy({ maxDelayMs: 20_000 }))).toBe(20_000);
  });
});

describe("withRetries", () => {
  it("retries until success", async () => {
    const retries = policy();
    const outcomes = [serverError(503), serverError(429, 1_000), "done"];
    const result = await withRetries(async () => {
      const next = outcomes.shift();
      if (next instanceof Error) throw next;
      return next;
    }, retries);
    expect(result).toBe("done");
    expect(retries.waits).toHaveLength(2);
    expect(retries.waits[1]).toBe(1_000);
  });

  it("makes at most 1 + maxRetries attempts", async () => {
    let attempts = 0;
    const failing = withRetries(async () => {
      attempts++;
      throw serverError(500);
    }, policy({ maxRetries: 3 }));
    await expect(failing).rejects.toBeInstanceOf(InternalError);
    expect(attempts).toBe(4);
  });

  it("does not retry an error that will not go away", async () => {
    let attempts = 0;
    await expect(
      withRetries(async () => {
        attempts++;
        throw serverError(400);
      }, policy()),
    ).rejects.toBeInstanceOf(BadRequestError);
    expect(attempts).toBe(1);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-11-22T07:00:00Z");
  it("reads delta-seconds and HTTP dates", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("Sun, 22 Nov 2026 07:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Sun, 22 Nov 2026 06:00:00 GMT", now)).toBe(0);
  });
  it("ignores what it cannot read", () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
  });
});
