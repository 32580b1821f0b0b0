import { type Queryable, toNumber } from "./database";

/** Cluster-wide rate-limit counts (SPEC §16): one row per key and window, shared by every instance. */
export class RateLimitStore {
  constructor(private readonly db: Queryable) {}

  /** Adds `amount` to the key's window atomically and answers the new total. */
  async add(keyId: string, windowStart: number, amount: number): Promise<number> {
    const [row] = await this.db.query<{ used: unknown }>(
      `INSERT INTO rate_limit_windows AS w (key_id, window_start, used) VALUES ($1, $2, $3)
       ON CONFLICT (key_id, window_start) DO UPDATE SET used = w.used + EXCLUDED.used
       RETURNING used`,
      [keyId, windowStart, amount],
    );
    return toNumber(row?.used);
  }

  /** Forgets windows that started before `before` (epoch milliseconds). */
  async deleteOlderThan(before: number): Promise<void> {
    await this.db.query("DELETE FROM rate_limit_windows WHERE window_start < $1", [before]);
  }
}
