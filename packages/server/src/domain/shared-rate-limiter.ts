import type { RateLimit, RateLimitOutcome } from "@keyward/contract";
import { LocalRateLimiter, type RateLimiter, windowOf } from "./rate-limiter";

/**
 * Adds `amount` to the cluster-wide count of one key's window and answers the new total
 * (storage: `INSERT … ON CONFLICT DO UPDATE … RETURNING used`, one atomic statement).
 */
export type ClaimRateLimit = (keyId: string, windowStart: number, amount: number) => Promise<number>;

interface Lease {
  start: number;
  end: number;
  /** Verifications this instance has claimed in the window, and spent of them. */
  granted: number;
  spent: number;
  /** The cluster-wide count after this instance's latest claim. */
  counted: number;
  /** A claim came back empty: the window's limit is reached everywhere. */
  exhausted: boolean;
  claiming: Promise<void> | undefined;
}

/** A claim asks for this share of what is left of a window (at least one verification). */
const CLAIM_SHARE = 0.05;
const SWEEP_EVERY = 10_000;

/**
 * Cluster-wide per-key limits (SPEC §16) through PostgreSQL, in batches: an instance claims a share
 * of a window (5 % of what is left, at least 1) with one atomic upsert and spends it locally without
 * a round trip, claiming again when it runs out. Claims never add up to more than the limit, so the
 * cluster never allows more than the limit; it may allow fewer, by what instances claimed and did
 * not spend before the window ended: at most one claim each (≤ 5 % of the limit, minus one). Near the
 * end of a window claims shrink to single verifications, so a limit of 100 shared by two busy
 * instances allows 100 exactly in practice.
 *
 * While PostgreSQL does not answer, a key's window is counted in this process instead (each
 * instance then allows up to the full limit: available rather than exact).
 */
export class SharedRateLimiter implements RateLimiter {
  private readonly leases = new Map<string, Lease>();
  private readonly fallback = new LocalRateLimiter();
  private readonly degraded = new Map<string, number>();
  private sinceSweep = 0;

  constructor(private readonly claim: ClaimRateLimit) {}

  readonly take = (keyId: string, limit: RateLimit, now: number): RateLimitOutcome => {
    const lease = this.current(keyId, limit, now);
    if (!lease) return this.fallback.take(keyId, limit, now);
    const allowed = lease.spent < lease.granted;
    if (allowed) lease.spent += 1;
    // What is left cluster-wide as far as this instance knows: the limit less others' claims and its own spending.
    const remaining = Math.max(0, limit.requests - (lease.counted - lease.granted + lease.spent));
    return { allowed, limit: limit.requests, remaining, reset: lease.end };
  };

  ready(keyId: string, limit: RateLimit, now: number): boolean {
    if (this.isDegraded(keyId, limit, now)) return true;
    const lease = this.current(keyId, limit, now);
    return lease !== undefined && (lease.spent < lease.granted || lease.exhausted);
  }

  /**
   * Claims a share of the key's window when this instance has none left, then spends one. Concurrent
   * callers for one key share one claim; each checks and spends without yielding in between, so
   * one claim is never spent twice.
   */
  async takeAwaited(keyId: string, limit: RateLimit, now: number): Promise<RateLimitOutcome> {
    while (!this.ready(keyId, limit, now)) {
      const lease = this.leaseFor(keyId, limit, now);
      lease.claiming ??= this.claimFor(keyId, limit, lease).finally(() => {
        lease.claiming = undefined;
      });
      await lease.claiming;
    }
    return this.take(keyId, limit, now);
  }

  private async claimFor(keyId: string, limit: RateLimit, lease: Lease): Promise<void> {
    const left = Math.max(0, limit.requests - lease.counted);
    const amount = Math.max(1, Math.floor(left * CLAIM_SHARE));
    let counted: number;
    try {
      counted = await this.claim(keyId, lease.start, amount);
    } catch {
      this.degraded.set(keyId, lease.start);
      return;
    }
    const before = counted - amount;
    const granted = Math.max(0, Math.min(amount, limit.requests - before));
    lease.granted += granted;
    lease.counted = Math.max(lease.counted, counted);
    if (granted < amount) lease.exhausted = true;
  }

  private isDegraded(keyId: string, limit: RateLimit, now: number): boolean {
    const start = this.degraded.get(keyId);
    if (start === undefined) return false;
    if (start === windowOf(limit, now).start) return true;
    this.degraded.delete(keyId);
    return false;
  }

  /** The key's lease for the current window, or undefined when it is counted locally (degraded). */
  private current(keyId: string, limit: RateLimit, now: number): Lease | undefined {
    if (this.isDegraded(keyId, limit, now)) return undefined;
    return this.leaseFor(keyId, limit, now);
  }

  private leaseFor(keyId: string, limit: RateLimit, now: number): Lease {
    const { start, end } = windowOf(limit, now);
    const lease = this.leases.get(keyId);
    if (lease && lease.start === start) return lease;
    const fresh: Lease = { start, end, granted: 0, spent: 0, counted: 0, exhausted: false, claiming: undefined };
    this.leases.set(keyId, fresh);
    this.sweep(now);
    return fresh;
  }

  private sweep(now: number): void {
    this.sinceSweep += 1;
    if (this.sinceSweep < SWEEP_EVERY) return;
    this.sinceSweep = 0;
    for (const [keyId, lease] of this.leases) {
      if (lease.end < now) this.leases.delete(keyId);
    }
  }
}
