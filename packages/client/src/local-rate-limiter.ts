import { parseDuration, type RateLimit, type RateLimitOutcome } from "@keyward/contract";

/**
 * Per-key fixed windows counted in this process, aligned to the epoch as the server's are, so a
 * verifier answers the same `limit`, `remaining` and `reset` the server would for the same calls.
 * A verifier's limit is per process: each process allows up to the key's limit in each window.
 */
export class LocalRateLimiter {
  private readonly windows = new Map<string, { start: number; used: number }>();
  private readonly sizes = new Map<string, number>();

  readonly take = (keyId: string, limit: RateLimit, now: number): RateLimitOutcome => {
    const size = this.sizeOf(limit.window);
    const start = now - (now % size);
    let window = this.windows.get(keyId);
    if (!window || window.start !== start) {
      window = { start, used: 0 };
      this.windows.set(keyId, window);
    }
    const allowed = window.used < limit.requests;
    if (allowed) window.used += 1;
    return { allowed, limit: limit.requests, remaining: limit.requests - window.used, reset: start + size };
  };

  /** A key that left the snapshot takes its window with it. */
  forget(keyId: string): void {
    this.windows.delete(keyId);
  }

  private sizeOf(window: string): number {
    let size = this.sizes.get(window);
    if (size === undefined) this.sizes.set(window, (size = parseDuration(window) ?? 60_000));
    return size;
  }
}
