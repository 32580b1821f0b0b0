import type { VerificationCode } from "@keyward/contract";
import { type Queryable, toDate, toNumber } from "./database";

export interface UsageCount {
  keyId: string;
  /** Start of the hour the verifications fell in. */
  bucket: Date;
  code: VerificationCode;
  count: number;
}

export class UsageStore {
  constructor(private readonly db: Queryable) {}

  /**
   * For the rest of this transaction, joins look rows up by index: left to itself the planner hashes
   * or merges the whole table to update a few thousand rows of it, a cost that grows with the keys
   * stored rather than the keys verified (SPEC §16: flat costs at 100k keys). The flush's batches are
   * far smaller than the tables, and even a batch of every key costs only a probe per row.
   */
  async joinByIndex(): Promise<void> {
    await this.db.query("SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)");
  }

  /** Adds counts in one statement; counts for keys deleted meanwhile are dropped. */
  async add(counts: readonly UsageCount[]): Promise<void> {
    if (counts.length === 0) return;
    await this.db.query(
      `INSERT INTO key_usage (key_id, bucket, code, count)
       SELECT u.key_id, u.bucket, u.code, sum(u.count)
       FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::integer[]) AS u (key_id, bucket, code, count)
       WHERE u.key_id IN (SELECT id FROM api_keys)
       GROUP BY 1, 2, 3
       ON CONFLICT (key_id, bucket, code) DO UPDATE SET count = key_usage.count + EXCLUDED.count`,
      [counts.map((c) => c.keyId), counts.map((c) => c.bucket.toISOString()), counts.map((c) => c.code), counts.map((c) => c.count)],
    );
  }

  async summarize(keyId: string, since: Date, granularity: "hour" | "day"): Promise<UsageCount[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT date_trunc($3, bucket, 'UTC') AS start, code, sum(count) AS count FROM key_usage
       WHERE key_id = $1 AND bucket >= date_trunc($3, $2::timestamptz, 'UTC')
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [keyId, since.toISOString(), granularity],
    );
    return rows.map((row) => ({
      keyId,
      bucket: toDate(row.start),
      code: row.code as VerificationCode,
      count: toNumber(row.count),
    }));
  }
}
