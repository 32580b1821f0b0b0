import { parseDuration, type RateLimit, type RateLimitOutcome } from "@keyward/contract";

/**
 * Per-key fixed windows. `take` is the rules' synchronous spend (contract `TakeRateLimit`); a
 * limiter that shares its counts with other instances may first have to claim a share of the
 * window (SPEC §16: rate limits hold cluster-wide): then `ready` is false and `takeAwaited` spends.
 */
export interface RateLimiter {
  readonly take: (keyId: string, limit: RateLimit, now: number) => RateLimitOutcome;
  /** True when `take` can answer for this key now. */
  ready(keyId: string, limit: RateLimit, now: number): boolean;
  /** `take`, after claiming what it needs. */
  takeAwaited(keyId: string, limit: RateLimit, now: number): Promise<RateLimitOutcome>;
}

/** The window a time falls in: its start and its end, in epoch milliseconds. */
export function windowOf(limit: RateLimit, now: number): { start: number; end: number } {
  const size = parseDuration(limit.window) ?? 60_000;
  const start = now - (now % size);
  return { start, end: start + size };
}

interface Window {
  start: number;
  used: number;
}

const SWEEP_EVERY = 10_000;

/**
 * Windows counted in this process: exact for one instance (the embedded database allows only
 * one), and what a shared limiter falls back to while PostgreSQL does not answer.
 */
export class LocalRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, Window>();
  private sinceSweep = 0;

  readonly take = (keyId: string, limit: RateLimit, now: number): RateLimitOutcome => {
    const { start, end } = windowOf(limit, now);
    let window = this.windows.get(keyId);
    if (!window || window.start !== start) {
      window = { start, used: 0 };
      this.windows.set(keyId, window);
      this.sweep(now);
    }
    const allowed = window.used < limit.requests;
    if (allowed) window.used += 1;
    return { allowed, limit: limit.requests, remaining: limit.requests - window.used, reset: end };
  };

  ready(): boolean {
    return true;
  }

  takeAwaited(keyId: string, limit: RateLimit, now: number): Promise<RateLimitOutcome> {
    return Promise.resolve(this.take(keyId, limit, now));
  }

  /** Drops windows that ended long ago, so memory follows the keys in use. */
  private sweep(now: number): void {
    this.sinceSweep += 1;
    if (this.sinceSweep < SWEEP_EVERY) return;
    this.sinceSweep = 0;
    for (const [keyId, window] of this.windows) {
      if (now - window.start > 86_400_000) this.windows.delete(keyId);
    }
  }
}
