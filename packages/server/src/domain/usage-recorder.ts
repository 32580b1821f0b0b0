import type { VerificationCode } from "@keyward/contract";
import { DatabaseUnavailableError } from "../storage/database-error";
import type { Storage } from "../storage/storage";
import type { UsageCount } from "../storage/usage-store";

const HOUR = 3_600_000;

/**
 * Verification counts and last-use times gathered in memory and written in one transaction per
 * interval, so verifying never waits for a write (issue 2: batched usage).
 */
export class UsageRecorder {
  private counts = new Map<string, UsageCount>();
  private keyUse = new Map<string, { at: Date; ip: string | null }>();
  private tokenUse = new Map<string, Date>();
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** `times` > 1: a batch reported by an in-process verifier (SPEC §16). */
  recordVerification(keyId: string, code: VerificationCode, at: Date, ip: string | null, times = 1): void {
    const bucket = at.getTime() - (at.getTime() % HOUR);
    const id = `${keyId}\u0000${bucket}\u0000${code}`;
    const count = this.counts.get(id);
    if (count) count.count += times;
    else this.counts.set(id, { keyId, bucket: new Date(bucket), code, count: times });
    this.keyUse.set(keyId, { at, ip: ip ?? this.keyUse.get(keyId)?.ip ?? null });
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
    if (this.counts.size === 0 && this.keyUse.size === 0 && this.tokenUse.size === 0) return;
    const counts = this.counts;
    const keyUse = this.keyUse;
    const tokenUse = this.tokenUse;
    this.counts = new Map();
    this.keyUse = new Map();
    this.tokenUse = new Map();
    try {
      await this.storage.transaction(async (stores) => {
        await stores.usage.add([...counts.values()]);
        await stores.keys.recordLastUse([...keyUse].map(([id, use]) => ({ id, ...use })));
        await stores.tokens.recordLastUse([...tokenUse].map(([id, at]) => ({ id, at })));
      });
    } catch (error) {
      // While the database is down the batch waits for the next write instead of being lost.
      if (error instanceof DatabaseUnavailableError) this.putBack(counts, keyUse, tokenUse);
      else this.onError(error);
    }
  }

  private putBack(counts: Map<string, UsageCount>, keyUse: Map<string, { at: Date; ip: string | null }>, tokenUse: Map<string, Date>): void {
    for (const [id, count] of counts) {
      const newer = this.counts.get(id);
      if (newer) newer.count += count.count;
      else this.counts.set(id, count);
    }
    for (const [id, use] of keyUse) if (!this.keyUse.has(id)) this.keyUse.set(id, use);
    for (const [id, at] of tokenUse) if (!this.tokenUse.has(id)) this.tokenUse.set(id, at);
  }
}
