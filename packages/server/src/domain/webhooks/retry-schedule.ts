/**
 * When a failed delivery is tried again (SPEC §15): exponential backoff from `baseMs`, doubling per
 * attempt up to `maxMs`, with "equal jitter" (half fixed, half random) so receivers that come back
 * are not hit by every queued delivery at once; after `giveUpAfterMs` from the event, it has failed.
 */
export interface RetrySchedule {
  baseMs: number;
  maxMs: number;
  giveUpAfterMs: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { baseMs: 30_000, maxMs: 3_600_000, giveUpAfterMs: 86_400_000 };

/** The time of the next attempt after `attempts` failed ones, or undefined when the delivery has run out of time. */
export function nextAttemptAt(schedule: RetrySchedule, attempts: number, createdAt: Date, now: Date, random: number): Date | undefined {
  const delay = Math.min(schedule.maxMs, schedule.baseMs * 2 ** Math.max(0, attempts - 1));
  const at = now.getTime() + delay / 2 + (random * delay) / 2;
  if (at > createdAt.getTime() + schedule.giveUpAfterMs) return undefined;
  return new Date(at);
}
