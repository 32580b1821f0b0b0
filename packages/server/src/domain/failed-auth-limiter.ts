export interface FailedAuthPolicy {
  /** Failed authentications allowed per IP within `windowMs` before answering 429. */
  max: number;
  windowMs: number;
}

export const DEFAULT_FAILED_AUTH_POLICY: FailedAuthPolicy = { max: 30, windowMs: 60_000 };

/** Slows token guessing: an IP that failed to authenticate too often is refused for a while (SPEC §3 limits). */
export class FailedAuthLimiter {
  private readonly failures = new Map<string, { start: number; count: number }>();

  constructor(private readonly policy: FailedAuthPolicy) {}

  /** Seconds until `ip` may try again, or 0. */
  retryAfter(ip: string, now: number): number {
    const entry = this.failures.get(ip);
    if (!entry || now - entry.start >= this.policy.windowMs) return 0;
    return entry.count >= this.policy.max ? Math.ceil((entry.start + this.policy.windowMs - now) / 1000) : 0;
  }

  fail(ip: string, now: number): void {
    const entry = this.failures.get(ip);
    if (!entry || now - entry.start >= this.policy.windowMs) {
      if (this.failures.size > 100_000) this.failures.clear();
      this.failures.set(ip, { start: now, count: 1 });
      return;
    }
    entry.count += 1;
  }
}
