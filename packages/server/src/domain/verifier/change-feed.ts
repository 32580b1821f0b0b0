import type { Change } from "../verification-cache";

/** What a verifier stream hears from the feed. */
export interface ChangeListener {
  change(change: Change, cursor: string): void;
  /** Every `HEARTBEAT_MS` while the feed is sure it has seen every change. */
  heartbeat(cursor: string): void;
  /** Changes may have been missed (the invalidation channel reconnected): start afresh. */
  reset(cursor: string): void;
}

/** SPEC §16 asks verifiers to distrust a stream silent for over 1 s; five beats fit in that. */
export const HEARTBEAT_MS = 200;
const REMEMBERED_CHANGES = 10_000;

/**
 * This instance's sequence of the changes it learnt from the invalidation channel (LISTEN/NOTIFY
 * on PostgreSQL, in-process on PGlite), numbered so a verifier can resume after a cursor. The
 * newest `REMEMBERED_CHANGES` are kept; a cursor older than that, from before a reset, or from
 * another instance cannot be resumed (the stream then sends a whole snapshot).
 */
export class ChangeFeed {
  private seq = 0;
  /** Changes after this sequence number are remembered. */
  private floor = 0;
  private readonly remembered: { seq: number; change: Change }[] = [];
  private readonly listeners = new Set<ChangeListener>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Names this instance in cursors. */
    readonly instance: string,
    /** True while the invalidation channel is proven to deliver (its own heartbeat arrives). */
    private readonly live: () => boolean,
  ) {}

  get cursor(): string {
    return `${this.instance}.${this.seq}`;
  }

  publish(change: Change): void {
    this.seq += 1;
    this.remembered.push({ seq: this.seq, change });
    if (this.remembered.length > REMEMBERED_CHANGES) this.floor = this.remembered.shift()!.seq;
    for (const listener of this.listeners) listener.change(change, this.cursor);
  }

  reset(): void {
    this.seq += 1;
    this.floor = this.seq;
    this.remembered.length = 0;
    for (const listener of this.listeners) listener.reset(this.cursor);
  }

  /** The changes after `cursor`, or undefined when they are not all remembered. */
  changesSince(cursor: string): Change[] | undefined {
    const [instance, text] = cursor.split(".");
    const after = Number(text);
    if (instance !== this.instance || !Number.isSafeInteger(after) || after < this.floor || after > this.seq) return undefined;
    return this.remembered.filter((entry) => entry.seq > after).map((entry) => entry.change);
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** No heartbeat while the channel is unproven: verifiers then stop trusting their snapshots. */
  private beat(): void {
    if (!this.live()) return;
    for (const listener of this.listeners) listener.heartbeat(this.cursor);
  }
}
