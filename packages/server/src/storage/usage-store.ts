import type { VerificationCode } from "@keyward/contract";
import { type Queryable, toDate, toNumber } from "./database";
import { insertLastUses, type LastUse } from "./last-use-store";

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

  /**
   * Adds counts, and writes last uses (see `LastUseStore.record`, at `resolutionMs`), in one
   * statement that looks each key up once: a key verified for the first time costs one probe and
   * two row inserts. Counts and uses of keys deleted meanwhile are dropped. Rows are written in key
   * order, so two instances flushing the same keys on one PostgreSQL wait for each other instead of
   * deadlocking (a deadlock would lose the batch).
   */
  async add(counts: readonly UsageCount[], uses: readonly LastUse[] = [], resolutionMs = 0): Promise<void> {
    if (counts.length === 0 && uses.length === 0) return;
    const rows = rowsByKey(counts, uses);
    await this.db.query(
      `WITH u AS MATERIALIZED (
         SELECT u.* FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::integer[], $5::integer[], $6::timestamptz[], $7::text[])
           AS u (key_id, bucket, code, count, version, at, ip)
         WHERE u.key_id IN (SELECT id FROM api_keys)
       ), counted AS (
         INSERT INTO key_usage (key_id, bucket, code, count)
         SELECT u.key_id, u.bucket, u.code, sum(u.count) FROM u WHERE u.code IS NOT NULL
         GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
         ON CONFLICT (key_id, bucket, code) DO UPDATE SET count = key_usage.count + EXCLUDED.count
       )
       ${insertLastUses("u WHERE u.version IS NOT NULL ORDER BY u.key_id, u.version", "$8")}`,
      [rows.keyIds, rows.buckets, rows.codes, rows.counts, rows.versions, rows.ats, rows.ips, resolutionMs],
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

/**
 * Statement parameters: each count beside a last use of the same key where there is one, so each
 * row looks its key up once. A key's uses come together (the recorder gathers them per key).
 */
function rowsByKey(counts: readonly UsageCount[], uses: readonly LastUse[]) {
  const rows = {
    keyIds: [] as string[], buckets: [] as (string | null)[], codes: [] as (string | null)[], counts: [] as (number | null)[],
    versions: [] as (number | null)[], ats: [] as (string | null)[], ips: [] as (string | null)[],
  };
  /** Each key's first row whose count is still free. */
  const free = new Map<string, number>();
  for (const [row, use] of uses.entries()) {
    rows.keyIds.push(use.keyId);
    rows.buckets.push(null);
    rows.codes.push(null);
    rows.counts.push(null);
    rows.versions.push(use.version);
    rows.ats.push(use.at.toISOString());
    rows.ips.push(use.ip);
    if (!free.has(use.keyId)) free.set(use.keyId, row);
  }
  const bucketTexts = new Map<number, string>();
  for (const count of counts) {
    const time = count.bucket.getTime();
    let bucket = bucketTexts.get(time);
    if (bucket === undefined) bucketTexts.set(time, (bucket = count.bucket.toISOString()));
    const row = free.get(count.keyId);
    if (row !== undefined && row < uses.length && rows.keyIds[row] === count.keyId) {
      rows.buckets[row] = bucket;
      rows.codes[row] = count.code;
      rows.counts[row] = count.count;
      free.set(count.keyId, row + 1);
      continue;
    }
    rows.keyIds.push(count.keyId);
    rows.buckets.push(bucket);
    rows.codes.push(count.code);
    rows.counts.push(count.count);
    rows.versions.push(null);
    rows.ats.push(null);
    rows.ips.push(null);
  }
  return rows;
}
