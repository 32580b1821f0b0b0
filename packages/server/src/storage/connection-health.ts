import { DatabaseUnavailableError, databaseErrorOf, isConnectionFault } from "./database-error";

/** Backoff between reconnection probes: 100 ms doubling to 2 s, so service resumes within ~2 s of the database. */
const FIRST_PROBE_MS = 100;
const LONGEST_PROBE_MS = 2_000;

/**
 * Whether the database answers, judged by what happened to the last statements (SPEC §11). A
 * connection fault marks it down: from then on statements fail at once with
 * `DatabaseUnavailableError` (the routes answer 503 with Retry-After, and no request queues behind
 * a dead server) while one probe at a time retries with exponential backoff; the first probe that
 * succeeds brings it back up.
 */
export class ConnectionHealth {
  private down = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly probe: () => Promise<void>) {}

  get available(): boolean {
    return !this.down;
  }

  /** Seconds a client should wait before trying again: the next probe's delay, at least 1. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.probeDelay() / 1_000));
  }

  /** Runs `work` unless the database is known to be down; every error it throws is translated. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.down) throw new DatabaseUnavailableError(this.retryAfterSeconds);
    try {
      return await work();
    } catch (error) {
      throw this.failed(error);
    }
  }

  /** The server-side meaning of `error`; a connection fault also marks the database down. */
  failed(error: unknown): unknown {
    if (isConnectionFault(error)) this.markDown();
    return databaseErrorOf(error, this.retryAfterSeconds);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private markDown(): void {
    if (this.down || this.closed) return;
    this.down = true;
    this.attempt = 0;
    this.scheduleProbe();
  }

  private probeDelay(): number {
    return Math.min(FIRST_PROBE_MS * 2 ** this.attempt, LONGEST_PROBE_MS);
  }

  private scheduleProbe(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.probe().then(
        () => {
          this.down = false;
        },
        () => {
          this.attempt += 1;
          this.scheduleProbe();
        },
      );
    }, this.probeDelay());
    this.timer.unref();
  }
}
