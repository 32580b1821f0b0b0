import type { VerificationCode } from "@keyward/contract";
import { DatabaseUnavailableError } from "../storage/database-error";
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

/** One key's verifications in the current hour, by code, and its latest use. */
interface KeyTally {
  bucket: number;
  counts: Partial<Record<VerificationCode, number>>;
  at: Date;
  ip: string | null;
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
  private secretUse = new Map<string, SecretUse>();
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly onError: (error: unknown) => void,
    /** Told, after the write commits, of keys whose secrets the write changed (a grace that started at first use). */
    private readonly onChange: (change: Change) => void = () => {},
    private readonly onGraceStarts: GraceStartsHandler = async () => {},
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /**
   * On every verification: one Map lookup and a counter, no allocation for a key seen this hour.
   * `times` > 1: a batch reported by an in-process verifier (SPEC §16). `version`: the secret that
   * was presented, whose own last use is kept too (SPEC §18).
   */
  recordVerification(keyId: string, code: VerificationCode, at: Date, ip: string | null, times = 1, version?: number): void {
    if (version !== undefined) this.recordSecretUse(keyId, version, at, ip, code === "VALID" ? at : null);
    const time = at.getTime();
    const bucket = time - (time % HOUR);
    const tally = this.tallies.get(keyId);
    if (!tally) {
      this.tallies.set(keyId, { bucket, counts: { [code]: times }, at, ip });
      return;
    }
    if (tally.bucket !== bucket) {
      this.finished.push(...countsOf(keyId, tally));
      tally.bucket = bucket;
      tally.counts = {};
    }
    tally.counts[code] = (tally.counts[code] ?? 0) + times;
    tally.at = at;
    if (ip !== null) tally.ip = ip;
  }

  /** The latest use wins, but the first successful one is kept: it starts a grace waiting for first use. */
  private recordSecretUse(keyId: string, version: number, at: Date, ip: string | null, firstValidAt: Date | null): void {
    const id = `${keyId}\u0000${version}`;
    const earlier = this.secretUse.get(id);
    if (earlier === undefined) {
      this.secretUse.set(id, { keyId, version, at, ip, firstValidAt });
      return;
    }
    // Updated in place, no new object per verification: a write takes the whole map away first,
    // so an entry found here belongs to no batch being written.
    earlier.at = at;
    if (ip !== null) earlier.ip = ip;
    earlier.firstValidAt ??= firstValidAt;
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
    const keyUse = new Map<string, { at: Date; ip: string | null }>();
    for (const [keyId, tally] of this.tallies) {
      counts.push(...countsOf(keyId, tally));
      keyUse.set(keyId, { at: tally.at, ip: tally.ip });
    }
    const tokenUse = this.tokenUse;
    const secretUse = this.secretUse;
    this.finished = [];
    this.tallies = new Map();
    this.tokenUse = new Map();
    this.secretUse = new Map();
    try {
      const changes = await this.storage.transaction(async (stores) => {
        const uses = [...secretUse.values()];
        await stores.usage.joinByIndex();
        await stores.usage.add(counts);
        // Before the secrets' last use: a use of a replaced secret after its grace started is always written.
        const starts = await stores.secrets.startGraceOnFirstUse(uses);
        if (starts.length > 0) await this.onGraceStarts(stores, starts);
        await stores.keys.recordLastUse([...keyUse].map(([id, use]) => ({ id, ...use })), LAST_USE_RESOLUTION_MS);
        await stores.tokens.recordLastUse([...tokenUse].map(([id, at]) => ({ id, at })), LAST_USE_RESOLUTION_MS);
        await stores.secrets.recordLastUse(uses, LAST_USE_RESOLUTION_MS);
        const started: Change[] = [...new Set(starts.map((start) => start.keyId))].map((id) => ({ kind: "key", id }));
        for (const change of started) await stores.notify(CHANGES_CHANNEL, encodeChange(change));
        return started;
      });
      for (const change of changes) this.onChange(change);
    } catch (error) {
      // While the database is down the batch waits for the next write instead of being lost.
      if (error instanceof DatabaseUnavailableError) this.putBack(counts, keyUse, tokenUse, secretUse);
      else this.onError(error);
    }
  }

  /** The storage sums counts of one key, hour and code, so a batch put back may repeat them. */
  private putBack(
    counts: UsageCount[],
    keyUse: Map<string, { at: Date; ip: string | null }>,
    tokenUse: Map<string, Date>,
    secretUse: Map<string, SecretUse>,
  ): void {
    this.finished.push(...counts);
    for (const [id, use] of keyUse) {
      const tally = this.tallies.get(id);
      if (!tally) this.tallies.set(id, { bucket: use.at.getTime() - (use.at.getTime() % HOUR), counts: {}, at: use.at, ip: use.ip });
      else if (tally.ip === null) tally.ip = use.ip;
    }
    for (const [id, at] of tokenUse) if (!this.tokenUse.has(id)) this.tokenUse.set(id, at);
    for (const [id, use] of secretUse) {
      const newer = this.secretUse.get(id);
      this.secretUse.set(id, newer ? { ...newer, firstValidAt: use.firstValidAt ?? newer.firstValidAt } : use);
    }
  }
}

function countsOf(keyId: string, tally: KeyTally): UsageCount[] {
  return Object.entries(tally.counts).map(([code, count]) => ({ keyId, bucket: new Date(tally.bucket), code: code as VerificationCode, count: count as number }));
}
