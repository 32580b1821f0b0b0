import { mutate } from "../mutation";
import type { Services } from "../services";
import { keyEvent } from "./webhook-event";

const DAY = 86_400_000;
/** Keys handled per check; the next check picks up the rest. */
const BATCH = 500;

export interface ExpiryWatchOptions {
  /** Days before `expires_at` at which `key.expiring` fires (SPEC §15: 14 and 3). */
  thresholdsDays: readonly number[];
  /** How often the database is checked. */
  everyMs: number;
  onError(error: unknown): void;
}

export const DEFAULT_EXPIRING_DAYS = [14, 3] as const;

/**
 * Announces `key.expiring` and `key.rotation_overdue` with no request to trigger them: a timer
 * checks the database against the injected clock. Each threshold fires once per key (and per
 * expiry: moving `expires_at` re-arms it), also across instances: the notice row and the queued
 * deliveries are written in one transaction and a second instance's insert finds the row taken.
 * A key first seen inside several windows (created 2 days before expiry) fires only the nearest;
 * a wider threshold never fires after a nearer one.
 */
export class ExpiryWatch {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly thresholds: number[];

  constructor(
    private readonly services: Services,
    private readonly options: ExpiryWatchOptions,
  ) {
    this.thresholds = [...new Set(options.thresholdsDays)].sort((a, b) => a - b);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.check().then(
        () => undefined,
        (error: unknown) => this.options.onError(error),
      ));
    }, this.options.everyMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One check; answers how many notices it sent. */
  async check(): Promise<number> {
    const context = { caller: null, requestId: "expiry-watch", sourceIp: null };
    return mutate(this.services, context, async (m) => {
      let sent = 0;
      for (const key of await m.stores.keyNotices.expiringUnannounced(m.now, this.thresholds, BATCH)) {
        const expiresAt = key.expiresAt as Date;
        const nearest = this.thresholds.find((days) => expiresAt.getTime() <= m.now.getTime() + days * DAY) as number;
        if (!(await m.stores.keyNotices.record(key.id, `expiring:${nearest}`, expiresAt, m.now))) continue;
        await m.emit(keyEvent("key.expiring", key, m.now, { days_before: nearest }));
        sent += 1;
      }
      for (const key of await m.stores.keyNotices.rotationOverdue(m.now, BATCH)) {
        if (!(await m.stores.keyNotices.record(key.id, "rotation_overdue", key.nextRotationAt as Date, m.now))) continue;
        await m.emit(keyEvent("key.rotation_overdue", key, m.now));
        sent += 1;
      }
      return sent;
    });
  }
}
