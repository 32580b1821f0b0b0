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

  /** Adds counts; counts for keys deleted meanwhile are dropped. */
  async add(counts: readonly UsageCount[]): Promise<void> {
    for (const count of counts) {
      await this.db.query(
        `INSERT INTO key_usage (key_id, bucket, code, count)
         SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM api_keys WHERE id = $1)
         ON CONFLICT (key_id, bucket, code) DO UPDATE SET count = key_usage.count + EXCLUDED.count`,
        [count.keyId, count.bucket.toISOString(), count.code, count.count],
      );
    }
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
