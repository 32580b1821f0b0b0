import type { VerificationCode } from "@keyward/contract";
import { type Queryable, toDate, toNumber } from "./database";
import { integerArray, textArray, timestamptzArray } from "./binary-array";
import { insertLastUses, type LastUse, type WrittenUse } from "./last-use-store";

export interface UsageCount {
  keyId: string;
  /** Start of the hour the verifications fell in. */
  bucket: Date;
  code: VerificationCode;
  count: number;
}

/**
 * Rows written by one statement of a flush. A flush of thousands of keys verified for the first time
 * costs the embedded database tens of microseconds a row on the thread that answers verifications:
 * in one statement that held every verification up for hundreds of milliseconds. In slices of this
 * many rows, with the caller's pause between them, no single hold-up is much longer than 50 ms.
 * Smaller slices cost more than their share: measured on 100,000 stored keys, a flush of 4,000
 * first uses took 24% more CPU in slices of 400 rows, 4% in slices of 1,000, 1% in slices of 2,000.
 */
export const FLUSH_SLICE_ROWS = 1_000;

/** How long a deleted key's id is kept beyond any use a batch being written may hold of it (see `UsageStore.add`). */
const DELETION_MARGIN_MS = 3_600_000;

/**
 * The flush statement: the rows of `rowsByKey` as binary arrays ($1–$7), the last-use resolution ($8).
 * `keep` filters them (it names the rows `u`). The rows come in key order and at most one per key,
 * hour and code, so the statement neither groups nor sorts keys: it writes them in the order given
 * (`n`), which is the same order in every instance. Grouping and sorting text took the embedded
 * database about a sixth of the statement.
 */
function addStatement(keep: string): string {
  return `WITH u AS MATERIALIZED (
       SELECT u.* FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::integer[], $5::integer[], $6::timestamptz[], $7::text[])
         WITH ORDINALITY AS u (key_id, bucket, code, count, version, at, ip, n)
       ${keep}
     ), counted AS (
       INSERT INTO key_usage (key_id, bucket, code, count)
       SELECT u.key_id, u.bucket, u.code, u.count FROM u WHERE u.code IS NOT NULL ORDER BY u.n
       ON CONFLICT (key_id, bucket, code) DO UPDATE SET count = key_usage.count + EXCLUDED.count
     )
     ${insertLastUses("u WHERE u.version IS NOT NULL ORDER BY u.n", "$8")}`;
}

/** Drops the rows `u` of keys deleted since (see `UsageStore.deletionsConcern`). */
const UNLESS_DELETED = "WHERE NOT EXISTS (SELECT 1 FROM deleted_keys AS d WHERE d.id = u.key_id)";

const ADD = addStatement("");
const ADD_UNLESS_DELETED = addStatement(UNLESS_DELETED);

/**
 * The flush statement when there is no last use to write ($1–$4: key, hour, code, count), as a
 * steady flush of keys in use mostly is (see `UsageRecorder.write`): the embedded database still
 * plans and runs the last-use insert of `addStatement` over no rows, and materializes the rows for
 * it, which took it about half of a flush of 100 counts. In the order given, as `addStatement`.
 */
function countStatement(keep: string): string {
  return `INSERT INTO key_usage (key_id, bucket, code, count)
     SELECT u.key_id, u.bucket, u.code, u.count FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::integer[])
       WITH ORDINALITY AS u (key_id, bucket, code, count, n)
     ${keep} ORDER BY u.n
     ON CONFLICT (key_id, bucket, code) DO UPDATE SET count = key_usage.count + EXCLUDED.count`;
}

const COUNT = countStatement("");
const COUNT_UNLESS_DELETED = countStatement(UNLESS_DELETED);

export class UsageStore {
  /** Whether this transaction's joins already go by index (a transaction's stores are its own). */
  private joined = false;

  constructor(private readonly db: Queryable) {}

  /**
   * For the rest of this transaction, joins look rows up by index: left to itself the planner hashes
   * or merges the whole table to update a few thousand rows of it, a cost that grows with the keys
   * stored rather than the keys verified (SPEC §16: flat costs at 100k keys). The flush's batches are
   * far smaller than the tables, and even a batch of every key costs only a probe per row.
   */
  async joinByIndex(): Promise<void> {
    if (this.joined) return;
    this.joined = true;
    await this.db.query("SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)");
  }

  /**
   * Adds counts, and writes last uses (see `LastUseStore.record`, at `resolutionMs`), in one
   * statement per `FLUSH_SLICE_ROWS` rows, awaiting `pause` before each (the caller's transaction
   * holds them together): a key verified for the first time costs two row inserts. Counts and uses
   * of keys deleted since they were gathered are dropped (see `deletionsConcern`). Rows are written
   * in key order, slice after slice (in the caller's transaction, which `joinByIndex` needs), so two
   * instances flushing the same keys on one PostgreSQL wait for each other instead of deadlocking (a
   * deadlock would lose the batch). Answers the last uses it wrote (not those the resolution held back).
   */
  async add(counts: readonly UsageCount[], uses: readonly LastUse[] = [], resolutionMs = 0, pause: () => Promise<void> = async () => {}): Promise<WrittenUse[]> {
    const written: WrittenUse[] = [];
    if (counts.length === 0 && uses.length === 0) return written;
    const rows = rowsByKey(counts, uses);
    const concern = await this.deletionsConcern(rows.oldest);
    // Deletions may be many (a project's keys): each row is checked by an index probe, not by hashing them all.
    if (concern) await this.joinByIndex();
    // The rows' statements are the flush's longest: what waited meanwhile is answered before them.
    await pause();
    if (uses.length === 0) {
      await this.addCounts(rows, concern, pause);
      return written;
    }
    const statement = concern ? ADD_UNLESS_DELETED : ADD;
    for (let from = 0; from < rows.keyIds.length; from += FLUSH_SLICE_ROWS) {
      if (from > 0) await pause();
      const to = from + FLUSH_SLICE_ROWS;
      const answered = await this.db.query<{ key_id: string; version: unknown }>(statement, [
        textArray(rows.keyIds.slice(from, to)),
        timestamptzArray(rows.buckets.slice(from, to)),
        textArray(rows.codes.slice(from, to)),
        integerArray(rows.counts.slice(from, to)),
        integerArray(rows.versions.slice(from, to)),
        timestamptzArray(rows.ats.slice(from, to)),
        textArray(rows.ips.slice(from, to)),
        resolutionMs,
      ]);
      for (const row of answered) written.push({ keyId: row.key_id, version: toNumber(row.version) });
    }
    return written;
  }

  /** `add` with counts only: the same slices, order and deletions, without the last-use insert. */
  private async addCounts(rows: FlushRows, concern: boolean, pause: () => Promise<void>): Promise<void> {
    const statement = concern ? COUNT_UNLESS_DELETED : COUNT;
    for (let from = 0; from < rows.keyIds.length; from += FLUSH_SLICE_ROWS) {
      if (from > 0) await pause();
      const to = from + FLUSH_SLICE_ROWS;
      await this.db.query(statement, [
        textArray(rows.keyIds.slice(from, to)),
        timestamptzArray(rows.buckets.slice(from, to)),
        textArray(rows.codes.slice(from, to)),
        integerArray(rows.counts.slice(from, to)),
      ]);
    }
  }

  /**
   * Whether keys were deleted whose uses a batch as old as `oldest` may hold; forgets deletions no
   * batch can still concern. Uses of a key are gathered until its deletion reaches the caches, a
   * second or so after it, so a deletion an hour older than the batch's oldest use (or than now,
   * when the clocks disagree) concerns no use in it. A batch put back while the database was down
   * keeps its oldest time, so the deletions it may concern stay until it is written. (An instance
   * cut off from the database for over an hour while another deletes a key it counted may still
   * write that key's rows when it returns.)
   */
  private async deletionsConcern(oldest: Date): Promise<boolean> {
    const [row] = await this.db.query<{ concern: boolean }>(
      `WITH bound AS (SELECT LEAST(now(), $1::timestamptz) - $2::float8 * interval '1 millisecond' AS at),
       forgotten AS (DELETE FROM deleted_keys WHERE deleted_at < (SELECT at FROM bound))
       SELECT EXISTS (SELECT 1 FROM deleted_keys WHERE deleted_at >= (SELECT at FROM bound)) AS concern`,
      [oldest.toISOString(), DELETION_MARGIN_MS],
    );
    return row?.concern === true;
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

/** The statement's rows, column by column. */
interface FlushRows {
  keyIds: string[];
  buckets: (Date | null)[];
  codes: (string | null)[];
  counts: (number | null)[];
  versions: (number | null)[];
  ats: (Date | null)[];
  ips: (string | null)[];
  oldest: Date;
}

/**
 * Statement parameters: each count beside a last use of the same key where there is one, so the
 * two share a row. Rows go in key order (the order the statement writes them in), and counts of
 * one key, hour and code are summed into one row (a batch put back may repeat them): an upsert
 * may not touch one row twice. Inserting keys in order touches each index page once. `oldest`:
 * the earliest time among them (an hour's start for a count).
 */
function rowsByKey(unorderedCounts: readonly UsageCount[], unorderedUses: readonly LastUse[]): FlushRows {
  const counts = summed([...unorderedCounts].sort(byKeyHourAndCode));
  const uses = [...unorderedUses].sort(byKey);
  const rows: FlushRows = { keyIds: [], buckets: [], codes: [], counts: [], versions: [], ats: [], ips: [], oldest: new Date(8.64e15) };
  /** Each key's first row whose count is still free. */
  const free = new Map<string, number>();
  for (const [row, use] of uses.entries()) {
    rows.keyIds.push(use.keyId);
    rows.buckets.push(null);
    rows.codes.push(null);
    rows.counts.push(null);
    rows.versions.push(use.version);
    rows.ats.push(use.at);
    rows.ips.push(use.ip);
    if (use.at < rows.oldest) rows.oldest = use.at;
    if (!free.has(use.keyId)) free.set(use.keyId, row);
  }
  // Counts without a free row of their key's go after the uses: out of key order, so they are merged in below.
  const spare: UsageCount[] = [];
  for (const count of counts) {
    if (count.bucket < rows.oldest) rows.oldest = count.bucket;
    const row = free.get(count.keyId);
    if (row !== undefined && row < uses.length && rows.keyIds[row] === count.keyId) {
      rows.buckets[row] = count.bucket;
      rows.codes[row] = count.code;
      rows.counts[row] = count.count;
      free.set(count.keyId, row + 1);
      continue;
    }
    spare.push(count);
  }
  return spare.length === 0 ? rows : mergedInKeyOrder(rows, spare);
}

/** Adjacent counts of one key, hour and code (sorted so) as one. */
function summed(counts: UsageCount[]): UsageCount[] {
  const out: UsageCount[] = [];
  for (const count of counts) {
    const last = out[out.length - 1];
    if (last && byKeyHourAndCode(last, count) === 0) out[out.length - 1] = { ...last, count: last.count + count.count };
    else out.push(count);
  }
  return out;
}

/** The rows with `spare` counts (in key order) placed among them, each after its key's rows. */
function mergedInKeyOrder(rows: FlushRows, spare: readonly UsageCount[]): FlushRows {
  const merged: FlushRows = { keyIds: [], buckets: [], codes: [], counts: [], versions: [], ats: [], ips: [], oldest: rows.oldest };
  const copy = (row: number) => {
    merged.keyIds.push(rows.keyIds[row] as string);
    merged.buckets.push(rows.buckets[row] ?? null);
    merged.codes.push(rows.codes[row] ?? null);
    merged.counts.push(rows.counts[row] ?? null);
    merged.versions.push(rows.versions[row] ?? null);
    merged.ats.push(rows.ats[row] ?? null);
    merged.ips.push(rows.ips[row] ?? null);
  };
  let row = 0;
  for (const count of spare) {
    while (row < rows.keyIds.length && (rows.keyIds[row] as string) <= count.keyId) copy(row++);
    merged.keyIds.push(count.keyId);
    merged.buckets.push(count.bucket);
    merged.codes.push(count.code);
    merged.counts.push(count.count);
    merged.versions.push(null);
    merged.ats.push(null);
    merged.ips.push(null);
  }
  while (row < rows.keyIds.length) copy(row++);
  return merged;
}

function byKey(a: { keyId: string }, b: { keyId: string }): number {
  return a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0;
}

function byKeyHourAndCode(a: UsageCount, b: UsageCount): number {
  return byKey(a, b) || a.bucket.getTime() - b.bucket.getTime() || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}
