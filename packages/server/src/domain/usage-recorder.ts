import type { VerificationCode } from "@keyward/contract";
import { DatabaseUnavailableError } from "../storage/database-error";
import { NO_SECRET_VERSION } from "../storage/last-use-store";
import type { GraceStart, SecretUse } from "../storage/secret-store";
import type { Storage } from "../storage/storage";
import type { Stores } from "../storage/stores";
import type { UsageCount } from "../storage/usage-store";
import type { WrittenUse } from "../storage/last-use-store";
import { CHANGES_CHANNEL, type Change, encodeChange } from "./verification-cache";

const HOUR = 3_600_000;
/**
 * Last-use times (of keys, secrets and management tokens) are kept to this resolution: a time is
 * written when it moves on by a minute or more, so a key in steady use costs one row write a minute
 * instead of one a flush. A use of a replaced secret after its grace started is always written.
 */
export const LAST_USE_RESOLUTION_MS = 60_000;

/** Runs in the flush's transaction for the graces it started, so their audit events commit with them. */
export type GraceStartsHandler = (stores: Stores, starts: readonly GraceStart[]) => Promise<void>;

/**
 * Keys and tokens whose last written use this instance remembers by default (the oldest is
 * forgotten first); a forgotten one costs only a row sent that the database may not write. The
 * service sets it to the verification cache's capacity: a use is held back only while the entry it
 * was judged with is cached, so remembering more keys than the cache holds buys nothing.
 */
const REMEMBERED_USES = 250_000;

/** A secret's use as gathered: `basis` is the cached key it was judged with, when there was one. */
interface GatheredUse extends SecretUse {
  basis?: object;
}

/**
 * A use of a secret this instance wrote, and the cached key it was judged with, held weakly: the
 * verification cache's bound is what keeps entries in memory, not this (an entry it evicted and the
 * garbage collector took is a use no longer held back, which only costs a row sent).
 */
interface Written {
  at: number;
  basis: WeakRef<object>;
}

/** One key's verifications in the current hour, by code, and the latest use of each secret presented. */
interface KeyTally {
  bucket: number;
  counts: Partial<Record<VerificationCode, number>>;
  /** Usually one: the key's current secret. */
  uses: GatheredUse[];
}

/**
 * Verification counts and last-use times gathered in memory and written in one transaction per
 * interval, so verifying never waits for a write (issue 2: batched usage).
 */
export class UsageRecorder {
  /** Counts of hours that ended before their key's tally moved on, waiting for the next write. */
  private finished: UsageCount[] = [];
  private tallies = new Map<string, KeyTally>();
  private tokenUse = new Map<string, Date>();
  /** By key and version (`useId`): the last use this instance wrote, while the key it was judged with is cached. */
  private readonly written = new Map<string, Written>();
  /** Secrets (`useId`) whose first successful use a committed write has sent to start a grace. */
  private readonly settled = new Set<string>();
  /** Tokens' last use this instance wrote. */
  private readonly tokensWritten = new Map<string, number>();
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly onError: (error: unknown) => void,
    /** Told, after the write commits, of keys whose secrets the write changed (a grace that started at first use). */
    private readonly onChange: (change: Change) => void = () => {},
    private readonly onGraceStarts: GraceStartsHandler = async () => {},
    /**
     * Awaited between the flush's statements: the embedded database runs them on the thread that
     * answers verifications, so each pause lets the requests queued meanwhile be answered before
     * the next statement (SPEC §16: a flush must not hold verification up). A macrotask, since a
     * resolved promise would run before any I/O.
     */
    private readonly pause: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve)),
    /** How many keys' and tokens' written uses are remembered (about 400 bytes each). */
    private readonly remembering: number = REMEMBERED_USES,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /**
   * On every verification: one Map lookup and a counter, no allocation for a key seen this hour.
   * `times` > 1: a batch reported by an in-process verifier (SPEC §16). `version`: the secret that
   * was presented, whose own last use is kept too (SPEC §18); without one, the key's use is kept
   * under `NO_SECRET_VERSION`. The latest use wins, but the first successful one is kept: it starts
   * a grace waiting for first use. `basis`: the cached entry the verification was judged with (see
   * `write`); none for a use the cache did not judge.
   */
  recordVerification(keyId: string, code: VerificationCode, at: Date, ip: string | null, times = 1, version?: number, basis?: object): void {
    const time = at.getTime();
    const bucket = time - (time % HOUR);
    const secretVersion = version ?? NO_SECRET_VERSION;
    const firstValidAt = code === "VALID" && version !== undefined ? at : null;
    const tally = this.tallies.get(keyId);
    if (!tally) {
      this.tallies.set(keyId, { bucket, counts: { [code]: times }, uses: [{ keyId, version: secretVersion, at, ip, firstValidAt, basis }] });
      return;
    }
    if (tally.bucket !== bucket) {
      this.finished.push(...countsOf(keyId, tally));
      tally.bucket = bucket;
      tally.counts = {};
    }
    tally.counts[code] = (tally.counts[code] ?? 0) + times;
    const use = useOf(tally, secretVersion);
    if (!use) {
      tally.uses.push({ keyId, version: secretVersion, at, ip, firstValidAt, basis });
      return;
    }
    use.at = at;
    use.basis = basis;
    if (ip !== null) use.ip = ip;
    use.firstValidAt ??= firstValidAt;
  }

  recordTokenUse(tokenId: string, at: Date): void {
    this.tokenUse.set(tokenId, at);
  }

  /** Writes everything gathered so far; resolves when it is in the database. */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /**
   * One transaction. Only what the database would change is sent (SPEC §16: a flush must not hold
   * verification up, and on the embedded database every row it handles does): a last use within
   * `LAST_USE_RESOLUTION_MS` of one this instance wrote is not sent, since the database would not
   * move it on either (its time only moves forward, whoever wrote it), unless the grace of the
   * secret presented may have started since; and a secret's first successful use starts a grace
   * once, so a first use of a secret whose first use a committed write already sent is not sent
   * again. A grace starts with a change to its key (a rotation, or another first use), which evicts
   * the key's cached entry: a use judged with another entry than the written one's is always sent.
   * (A use judged in the moment before the eviction reached this instance, with the entry as it
   * was, counts as judged before the grace, as its verification was.)
   */
  private async write(): Promise<void> {
    if (this.finished.length === 0 && this.tallies.size === 0 && this.tokenUse.size === 0) return;
    const counts = this.finished;
    const gathered: GatheredUse[] = [];
    for (const [keyId, tally] of this.tallies) {
      counts.push(...countsOf(keyId, tally));
      gathered.push(...tally.uses);
    }
    const tokenUse = this.tokenUse;
    this.finished = [];
    this.tallies = new Map();
    this.tokenUse = new Map();
    const uses = gathered.filter((use) => !this.heldBack(use));
    const firstUses = gathered.filter((use) => use.firstValidAt !== null && !this.settled.has(useId(use)));
    const tokenUses = [...tokenUse].flatMap(([id, at]) => (at.getTime() < (this.tokensWritten.get(id) ?? -Infinity) + LAST_USE_RESOLUTION_MS ? [] : [{ id, at }]));
    try {
      const { changes, written, tokensWritten } = await this.storage.transaction(async (stores) => {
        let starts: GraceStart[] = [];
        if (firstUses.length > 0) {
          await stores.usage.joinByIndex();
          // Before the last uses: a use of a replaced secret after its grace started is always written.
          starts = await stores.secrets.startGraceOnFirstUse(firstUses);
          if (starts.length > 0) await this.onGraceStarts(stores, starts);
        }
        const tokensWritten = await stores.tokens.recordLastUse(tokenUses, LAST_USE_RESOLUTION_MS);
        if (firstUses.length > 0 || tokenUses.length > 0) await this.pause();
        const written = await stores.usage.add(counts, uses, LAST_USE_RESOLUTION_MS, this.pause);
        const changes: Change[] = [...new Set(starts.map((start) => start.keyId))].map((id) => ({ kind: "key", id }));
        for (const change of changes) await stores.notify(CHANGES_CHANNEL, encodeChange(change));
        return { changes, written, tokensWritten };
      });
      this.remember(uses, firstUses, written, tokenUses, tokensWritten);
      for (const change of changes) this.onChange(change);
    } catch (error) {
      // While the database is down the batch waits for the next write instead of being lost.
      if (error instanceof DatabaseUnavailableError) this.putBack(counts, gathered, tokenUse);
      else this.onError(error);
    }
  }

  /** A use the database would not write: within the resolution of one this instance wrote, judged with the same cached key. */
  private heldBack(use: GatheredUse): boolean {
    const written = use.basis && this.written.get(useId(use));
    return written !== undefined && written.basis.deref() === use.basis && use.at.getTime() < written.at + LAST_USE_RESOLUTION_MS;
  }

  /** After a commit: what was written, and which first uses were sent. */
  private remember(uses: readonly GatheredUse[], firstUses: readonly GatheredUse[], written: readonly WrittenUse[], tokenUses: readonly { id: string; at: Date }[], tokensWritten: readonly string[]): void {
    const sent = new Map(uses.map((use) => [useId(use), use]));
    for (const row of written) {
      const id = useId(row);
      const use = sent.get(id);
      this.written.delete(id);
      if (use?.basis) remembered(this.written, this.remembering, id, { at: use.at.getTime(), basis: new WeakRef(use.basis) });
    }
    for (const use of firstUses) {
      const id = useId(use);
      this.settled.delete(id);
      remembered(this.settled, this.remembering, id);
    }
    const tokenAt = new Map(tokenUses.map((use) => [use.id, use.at.getTime()]));
    for (const id of tokensWritten) {
      this.tokensWritten.delete(id);
      remembered(this.tokensWritten, this.remembering, id, tokenAt.get(id) as number);
    }
  }

  /** The storage sums counts of one key, hour and code, so a batch put back may repeat them. */
  private putBack(counts: UsageCount[], uses: GatheredUse[], tokenUse: Map<string, Date>): void {
    this.finished.push(...counts);
    for (const use of uses) {
      const tally = this.tallies.get(use.keyId);
      if (!tally) {
        this.tallies.set(use.keyId, { bucket: use.at.getTime() - (use.at.getTime() % HOUR), counts: {}, uses: [use] });
        continue;
      }
      const newer = useOf(tally, use.version);
      if (!newer) {
        tally.uses.push(use);
        continue;
      }
      if (newer.ip === null) newer.ip = use.ip;
      newer.firstValidAt = use.firstValidAt ?? newer.firstValidAt;
    }
    for (const [id, at] of tokenUse) if (!this.tokenUse.has(id)) this.tokenUse.set(id, at);
  }
}

/** A secret's identity for good: versions of a key never repeat (a rollback revokes, it does not delete). */
function useId(use: { keyId: string; version: number }): string {
  return `${use.keyId} ${use.version}`;
}

/** Adds `id` as the newest entry, forgetting the oldest beyond `bound`. */
function remembered<V>(memory: Map<string, V> | Set<string>, bound: number, id: string, value?: V): void {
  if (memory instanceof Set) memory.add(id);
  else memory.set(id, value as V);
  while (memory.size > bound) memory.delete(memory.keys().next().value as string);
}

function useOf(tally: KeyTally, version: number): GatheredUse | undefined {
  for (const use of tally.uses) if (use.version === version) return use;
  return undefined;
}

function countsOf(keyId: string, tally: KeyTally): UsageCount[] {
  return Object.entries(tally.counts).map(([code, count]) => ({ keyId, bucket: new Date(tally.bucket), code: code as VerificationCode, count: count as number }));
}
