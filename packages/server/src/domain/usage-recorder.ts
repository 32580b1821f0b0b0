import type { VerificationCode } from "@keyward/contract";
import { DatabaseUnavailableError } from "../storage/database-error";
import type { SecretUse } from "../storage/secret-store";
import type { Storage } from "../storage/storage";
import type { UsageCount } from "../storage/usage-store";
import { CHANGES_CHANNEL, type Change, encodeChange } from "./verification-cache";

const HOUR = 3_600_000;

/**
 * Verification counts and last-use times gathered in memory and written in one transaction per
 * interval, so verifying never waits for a write (issue 2: batched usage).
 */
export class UsageRecorder {
  private counts = new Map<string, UsageCount>();
  private keyUse = new Map<string, { at: Date; ip: string | null }>();
  private tokenUse = new Map<string, Date>();
  private secretUse = new Map<string, SecretUse>();
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly onError: (error: unknown) => void,
    /** Told, after the write commits, of keys whose secrets the write changed (a grace that started at first use). */
    private readonly onChange: (change: Change) => void = () => {},
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /**
   * `times` > 1: a batch reported by an in-process verifier (SPEC §16). `version`: the secret that
   * was presented, whose own last use is kept too (SPEC §18).
   */
  recordVerification(keyId: string, code: VerificationCode, at: Date, ip: string | null, times = 1, version?: number): void {
    const bucket = at.getTime() - (at.getTime() % HOUR);
    const id = `${keyId}\u0000${bucket}\u0000${code}`;
    const count = this.counts.get(id);
    if (count) count.count += times;
    else this.counts.set(id, { keyId, bucket: new Date(bucket), code, count: times });
    this.keyUse.set(keyId, { at, ip: ip ?? this.keyUse.get(keyId)?.ip ?? null });
    if (version !== undefined) this.recordSecretUse({ keyId, version, at, ip, firstValidAt: code === "VALID" ? at : null });
  }

  /** The latest use wins, but the first successful one is kept: it starts a grace waiting for first use. */
  private recordSecretUse(use: SecretUse): void {
    const id = `${use.keyId}\u0000${use.version}`;
    const earlier = this.secretUse.get(id);
    this.secretUse.set(id, { ...use, ip: use.ip ?? earlier?.ip ?? null, firstValidAt: earlier?.firstValidAt ?? use.firstValidAt });
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
    const secretUse = this.secretUse;
    this.counts = new Map();
    this.keyUse = new Map();
    this.tokenUse = new Map();
    this.secretUse = new Map();
    try {
      const changes = await this.storage.transaction(async (stores) => {
        await stores.usage.add([...counts.values()]);
        await stores.keys.recordLastUse([...keyUse].map(([id, use]) => ({ id, ...use })));
        await stores.tokens.recordLastUse([...tokenUse].map(([id, at]) => ({ id, at })));
        await stores.secrets.recordLastUse([...secretUse.values()]);
        const started: Change[] = (await stores.secrets.startGraceOnFirstUse([...secretUse.values()])).map((id) => ({ kind: "key", id }));
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

  private putBack(
    counts: Map<string, UsageCount>,
    keyUse: Map<string, { at: Date; ip: string | null }>,
    tokenUse: Map<string, Date>,
    secretUse: Map<string, SecretUse>,
  ): void {
    for (const [id, count] of counts) {
      const newer = this.counts.get(id);
      if (newer) newer.count += count.count;
      else this.counts.set(id, count);
    }
    for (const [id, use] of keyUse) if (!this.keyUse.has(id)) this.keyUse.set(id, use);
    for (const [id, at] of tokenUse) if (!this.tokenUse.has(id)) this.tokenUse.set(id, at);
    for (const [id, use] of secretUse) {
      const newer = this.secretUse.get(id);
      this.secretUse.set(id, newer ? { ...newer, firstValidAt: use.firstValidAt ?? newer.firstValidAt } : use);
    }
  }
}
