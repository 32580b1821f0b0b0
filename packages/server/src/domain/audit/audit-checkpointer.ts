import type { AuditCheckpoint } from "@keyward/contract";
import type { CheckpointLog } from "../../storage/checkpoint-log";
import type { Storage } from "../../storage/storage";
import type { Clock } from "../clock";
import { presentAuditEvent } from "../audit-chain";
import { type CheckpointFile, type CheckpointKind, type CoveredEvents, EventDigest, readCheckpointFile, signCheckpoint } from "./audit-checkpoint";
import type { AuditKeys } from "./audit-keys";

export const DEFAULT_CHECKPOINT_EVERY = 1_000;
const BATCH = 1_000;

/**
 * Signs the chain's head into the checkpoint log (SPEC §12): every `every` events, on demand
 * (`keyward audit checkpoint`) and when the service stops. A checkpoint is taken from the committed
 * head, so it never names an event a rolled-back transaction left out. One at a time.
 */
export class AuditCheckpointer {
  #lastSeq: number | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly keys: AuditKeys,
    private readonly log: CheckpointLog,
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly every: number,
    private readonly onError: (error: unknown) => void,
  ) {
    if (!Number.isInteger(every) || every < 1) throw new RangeError("the audit checkpoint interval must be a whole number of events, at least 1");
  }

  get location(): string {
    return this.log.location;
  }

  /** Called with each appended event's seq (inside its transaction): costs nothing until a checkpoint is due. */
  appended(seq: number): void {
    if (this.#lastSeq !== undefined && seq < this.#lastSeq + this.every) return;
    this.#enqueue(async () => {
      this.#lastSeq ??= newestSeq(await this.read());
      const head = await this.storage.stores.audit.head();
      if (head.seq >= this.#lastSeq + this.every) await this.#write("checkpoint", head);
    }).catch(this.onError);
  }

  /** Signs the committed head now. */
  checkpoint(): Promise<AuditCheckpoint> {
    return this.#enqueue(async () => this.#write("checkpoint", await this.storage.stores.audit.head()));
  }

  /** Records a signed checkpoint made elsewhere (the purge anchor, committed with the purge). */
  record(checkpoint: AuditCheckpoint): Promise<void> {
    return this.#enqueue(() => this.log.append(JSON.stringify(checkpoint)));
  }

  /** Resolves once every checkpoint due so far is written. */
  async settled(): Promise<void> {
    await this.#queue;
  }

  async read(): Promise<CheckpointFile> {
    return readCheckpointFile(this.keys.verifier, await this.log.read());
  }

  /** On shutdown: one last checkpoint when events were added since the newest one. */
  async close(): Promise<void> {
    await this.#enqueue(async () => {
      const head = await this.storage.stores.audit.head();
      const last = this.#lastSeq ?? newestSeq(await this.read());
      if (head.seq > last) await this.#write("checkpoint", head);
    }).catch(this.onError);
  }

  async #write(kind: CheckpointKind, head: { seq: number; hash: string }): Promise<AuditCheckpoint> {
    this.#lastSeq ??= newestSeq(await this.read());
    const covered = await this.#cover(this.#lastSeq + 1, head.seq);
    const checkpoint = signCheckpoint(this.keys, kind, head, this.clock(), covered);
    await this.log.append(JSON.stringify(checkpoint));
    this.#lastSeq = Math.max(this.#lastSeq ?? 0, head.seq);
    return checkpoint;
  }

  /** The digest of the events `from`…`to` still in the database (after a purge, those left). */
  async #cover(from: number, to: number): Promise<CoveredEvents> {
    const digest = new EventDigest();
    let afterSeq = from - 1;
    let first: number | undefined;
    for (;;) {
      const events = (await this.storage.stores.audit.list({ afterSeq, limit: BATCH })).filter((event) => event.seq <= to);
      for (const event of events) digest.add(presentAuditEvent(event));
      first ??= events[0]?.seq;
      if (events.length < BATCH) break;
      afterSeq = events.at(-1)?.seq ?? to;
    }
    return { from: first ?? to + 1, digest: digest.hex() };
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}

export function newestSeq(file: CheckpointFile): number {
  return file.checkpoints.reduce((newest, checkpoint) => Math.max(newest, checkpoint.seq), 0);
}
