import type { VerificationCode } from "@keyward/contract";
import { DatabaseUnavailableError } from "../storage/database-error";
import { NO_SECRET_VERSION } from "../storage/last-use-store";
import type { GraceStart, SecretUse } from "../storage/secret-store";
import type { Storage } from "../storage/storage";
import type { Stores } from "../storage/stores";
import type { UsageCount } from "../storage/usage-store";
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

/** One key's verifications in the current hour, by code, and the latest use of each secret presented. */
interface KeyTally {
  bucket: number;
  counts: Partial<Record<VerificationCode, number>>;
  /** Usually one: the key's current secret. */
  uses: SecretUse[];
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
   * a grace waiting for first use.
   */
  recordVerification(keyId: string, code: VerificationCode, at: Date, ip: string | null, times = 1, version?: number): void {
    const time = at.getTime();
    const bucket = time - (time % HOUR);
    const secretVersion = version ?? NO_SECRET_VERSION;
    const firstValidAt = code === "VALID" && version !== undefined ? at : null;
    const tally = this.tallies.get(keyId);
    if (!tally) {
      this.tallies.set(keyId, { bucket, counts: { [code]: times }, uses: [{ keyId, version: secretVersion, at, ip, firstValidAt }] });
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
      tally.uses.push({ keyId, version: secretVersion, at, ip, firstValidAt });
      return;
    }
    use.at = at;
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

  private async write(): Promise<void> {
    if (this.finished.length === 0 && this.tallies.size === 0 && this.tokenUse.size === 0) return;
    const counts = this.finished;
    const uses: SecretUse[] = [];
    for (const [keyId, tally] of this.tallies) {
      counts.push(...countsOf(keyId, tally));
      uses.push(...tally.uses);
    }
    const tokenUse = this.tokenUse;
    this.finished = [];
    this.tallies = new Map();
    this.tokenUse = new Map();
    try {
      const changes = await this.storage.transaction(async (stores) => {
        await stores.usage.joinByIndex();
        // Before the last uses: a use of a replaced secret after its grace started is always written.
        const starts = await stores.secrets.startGraceOnFirstUse(uses);
        if (starts.length > 0) await this.onGraceStarts(stores, starts);
        await stores.tokens.recordLastUse([...tokenUse].map(([id, at]) => ({ id, at })), LAST_USE_RESOLUTION_MS);
        await this.pause();
        await stores.usage.add(counts, uses, LAST_USE_RESOLUTION_MS, this.pause);
        const started: Change[] = [...new Set(starts.map((start) => start.keyId))].map((id) => ({ kind: "key", id }));
        for (const change of started) await stores.notify(CHANGES_CHANNEL, encodeChange(change));
        return started;
      });
      for (const change of changes) this.onChange(change);
    } catch (error) {
      // While the database is down the batch waits for the next write instead of being lost.
      if (error instanceof DatabaseUnavailableError) this.putBack(counts, uses, tokenUse);
      else this.onError(error);
    }
  }

  /** The storage sums counts of one key, hour and code, so a batch put back may repeat them. */
  private putBack(counts: UsageCount[], uses: SecretUse[], tokenUse: Map<string, Date>): void {
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

function useOf(tally: KeyTally, version: number): SecretUse | undefined {
  for (const use of tally.uses) if (use.version === version) return use;
  return undefined;
}

function countsOf(keyId: string, tally: KeyTally): UsageCount[] {
  return Object.entries(tally.counts).map(([code, count]) => ({ keyId, bucket: new Date(tally.bucket), code: code as VerificationCode, count: count as number }));
}
