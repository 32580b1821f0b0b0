import type { AuditCheckpoint, AuditVerification } from "@keyward/contract";

/** What the check needs of an event: where it sits in the chain and what it claims. */
export interface ChainLink {
  seq: number;
  id: string;
  prevHash: string;
  hash: string;
}

/** The last event before the first one checked: the genesis, or the signed purge anchor. */
export interface ChainStart {
  seq: number;
  hash: string;
}

/**
 * Walks a chain one event at a time, oldest first (SPEC §12). An event is bad when its seq is not
 * the next one, it does not link to the event before, its hash is not what `rehash` computes (the
 * server holds the key; an offline auditor does not and passes none), or a signed checkpoint names
 * a different hash at its seq. The newest checkpoint past the last event means events were cut off.
 */
export class ChainCheck<E extends ChainLink = ChainLink> {
  #expectedSeq: number;
  #previousHash: string;
  #checked = 0;
  #firstBad: string | undefined;
  readonly #signed = new Map<number, string>();
  readonly #newest: AuditCheckpoint | undefined;
  readonly #startForged: boolean;

  constructor(
    start: ChainStart,
    checkpoints: readonly AuditCheckpoint[],
    private readonly rehash?: (event: E) => string,
  ) {
    this.#expectedSeq = start.seq + 1;
    this.#previousHash = start.hash;
    let startForged = false;
    for (const checkpoint of checkpoints) {
      if (checkpoint.seq === start.seq && checkpoint.hash !== start.hash) startForged = true;
      if (checkpoint.seq > start.seq) this.#signed.set(checkpoint.seq, checkpoint.hash);
    }
    this.#startForged = startForged;
    this.#newest = checkpoints.reduce<AuditCheckpoint | undefined>((newest, checkpoint) => (!newest || checkpoint.seq > newest.seq ? checkpoint : newest), undefined);
  }

  get broken(): boolean {
    return this.#firstBad !== undefined;
  }

  /** False once an event is bad; later events are not looked at. */
  add(event: E): boolean {
    if (this.#firstBad !== undefined) return false;
    const signed = this.#signed.get(event.seq);
    const bad =
      (this.#startForged && this.#checked === 0) ||
      event.seq !== this.#expectedSeq ||
      event.prevHash !== this.#previousHash ||
      (signed !== undefined && signed !== event.hash) ||
      (this.rehash !== undefined && this.rehash(event) !== event.hash);
    if (bad) {
      this.#firstBad = event.id;
      return false;
    }
    this.#checked += 1;
    this.#expectedSeq += 1;
    this.#previousHash = event.hash;
    return true;
  }

  /** The last event that checked out, for comparing with a recorded head. */
  get last(): ChainStart {
    return { seq: this.#expectedSeq - 1, hash: this.#previousHash };
  }

  result(options: { firstBad?: string; truncatedAfter?: number } = {}): AuditVerification {
    const checkpoint = this.#newest ? { seq: this.#newest.seq, time: this.#newest.time } : null;
    const firstBad = this.#firstBad ?? options.firstBad;
    if (firstBad !== undefined) return { ok: false, checked: this.#checked, first_bad: firstBad, truncated_after: null, checkpoint };
    const lastSeq = this.#expectedSeq - 1;
    const truncated = (this.#newest !== undefined && this.#newest.seq > lastSeq) || options.truncatedAfter !== undefined;
    if (truncated) return { ok: false, checked: this.#checked, first_bad: null, truncated_after: lastSeq, checkpoint };
    if (this.#startForged) return { ok: false, checked: 0, first_bad: "start", truncated_after: null, checkpoint };
    return { ok: true, checked: this.#checked, first_bad: null, truncated_after: null, checkpoint };
  }
}
