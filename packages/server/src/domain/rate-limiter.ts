import { parseDuration, type RateLimit, type RateLimitOutcome } from "@keyward/contract";

interface Window {
  start: number;
  used: number;
}

const SWEEP_EVERY = 10_000;

/**
 * Per-key fixed windows, counted in this process. With several instances each counts its own
 * share (documented in the README): exact global limits would put a database write on every call.
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private sinceSweep = 0;

  take(keyId: string, limit: RateLimit, now: number): RateLimitOutcome {
    const size = parseDuration(limit.window) ?? 60_000;
    const start = now - (now % size);
    let window = this.windows.get(keyId);
    if (!window || window.start !== start) {
      window = { start, used: 0 };
      this.windows.set(keyId, window);
      this.sweep(now);
    }
    const allowed = window.used < limit.requests;
    if (allowed) window.used += 1;
    return { allowed, limit: limit.requests, remaining: limit.requests - window.used, reset: start + size };
  }

  forget(keyId: string): void {
    this.windows.delete(keyId);
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
