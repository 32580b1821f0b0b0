/** The failed authentications of one client address in one minute: what one audit event records. */
export interface FailedAuthCount {
  ip: string;
  windowStart: Date;
  windowEnd: Date;
  count: number;
  /** How many failed for each reason (`missing`, `unknown`, `revoked`, `rate_limited`, …). */
  reasons: Record<string, number>;
  /** The first failing request's id, so the event leads to its log line. */
  firstRequestId: string;
}

export const FAILED_AUTH_WINDOW_MS = 60_000;

/**
 * Counts failed authentications per client address and minute, so each address costs the audit log
 * one event per minute however fast it fails (SPEC §10: no audit flooding). Pure bookkeeping: the
 * caller writes what `record` and `drain` hand back.
 */
export class FailedAuthTally {
  private readonly open = new Map<string, FailedAuthCount>();
  private sweptWindow = 0;

  constructor(
    private readonly windowMs = FAILED_AUTH_WINDOW_MS,
    /** Beyond this many addresses in one minute, the tallies are closed early rather than held. */
    private readonly capacity = 10_000,
  ) {}

  /** Counts one failure; answers the tallies that are complete now (their minute is over). */
  record(ip: string, reason: string, requestId: string, now: number): FailedAuthCount[] {
    const windowStart = now - (now % this.windowMs);
    const closed = this.sweptWindow === windowStart ? [] : this.drain(now);
    this.sweptWindow = windowStart;
    if (this.open.size >= this.capacity) closed.push(...this.drain(now, true));
    let tally = this.open.get(ip);
    if (!tally) {
      tally = { ip, windowStart: new Date(windowStart), windowEnd: new Date(windowStart + this.windowMs), count: 0, reasons: {}, firstRequestId: requestId };
      this.open.set(ip, tally);
    }
    tally.count += 1;
    tally.reasons[reason] = (tally.reasons[reason] ?? 0) + 1;
    return closed;
  }

  /** Removes and answers the tallies whose minute is over, or (`all`, at shutdown) every tally. */
  drain(now: number, all = false): FailedAuthCount[] {
    const closed: FailedAuthCount[] = [];
    for (const [ip, tally] of this.open) {
      if (!all && tally.windowEnd.getTime() > now) continue;
      closed.push(tally);
      this.open.delete(ip);
    }
    return closed;
  }
}
