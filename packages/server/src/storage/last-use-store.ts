import type { Queryable } from "./database";

/** The last use of one of a key's secrets, as the usage recorder gathers it. */
export interface LastUse {
  keyId: string;
  /** The secret presented; `NO_SECRET_VERSION` when the use named none. */
  version: number;
  at: Date;
  ip: string | null;
}

/** The version under which a use of a key that named no secret is kept (secrets start at 1). */
export const NO_SECRET_VERSION = 0;

/**
 * Last-use times of keys' secrets (SPEC §18), one narrow row each in `key_last_uses`: a key's first
 * use is one row insert, not a rewrite of its key's and its secret's rows and every index on them.
 * A key's own last use is its newest row (see `KEYS_WITH_LAST_USE`).
 */
export class LastUseStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Each use in one statement, at most one per key and version. A time is written only when it
   * moves on by at least `resolutionMs` (never backwards), so a key verified all day costs one
   * write per resolution, not one per flush; but a use after the secret's grace started is always
   * written, however soon after the one before: it is what tells a team the old secret is still in
   * use. Uses of keys deleted meanwhile are dropped.
   */
  async record(uses: readonly LastUse[], resolutionMs = 0): Promise<void> {
    if (uses.length === 0) return;
    await this.db.query(
      `${insertLastUses(`(SELECT u.* FROM unnest($1::text[], $2::integer[], $3::timestamptz[], $4::text[]) AS u (key_id, version, at, ip)
                          WHERE u.key_id IN (SELECT id FROM api_keys)) AS u`, "$5")}`,
      [uses.map((use) => use.keyId), uses.map((use) => use.version), uses.map((use) => use.at.toISOString()), uses.map((use) => use.ip), resolutionMs],
    );
  }
}

/** A last use the database took: its row was inserted or moved on. */
export interface WrittenUse {
  keyId: string;
  version: number;
}

/**
 * The statement that writes last uses from `source` (rows of key_id, version, at, ip; at most one
 * per key and version, of keys that exist), at the resolution in milliseconds that `resolution`
 * (a parameter) gives; see `LastUseStore.record`. Also written beside usage counts (`UsageStore.add`).
 * It answers the rows it wrote (`WrittenUse`, as `key_id`, `version`), so a writer can tell a use the
 * database would not move on to from one it did.
 */
export function insertLastUses(source: string, resolution: string): string {
  return `INSERT INTO key_last_uses AS l (key_id, version, at, ip)
    SELECT u.key_id, u.version, u.at, u.ip FROM ${source}
    ON CONFLICT (key_id, version) DO UPDATE SET at = EXCLUDED.at, ip = COALESCE(EXCLUDED.ip, l.ip)
    WHERE l.at < EXCLUDED.at
      AND (l.at <= EXCLUDED.at - ${resolution}::float8 * interval '1 millisecond'
           OR EXISTS (SELECT 1 FROM key_secrets AS s
                      WHERE s.key_id = l.key_id AND s.version = l.version AND l.at < s.grace_started_at AND EXCLUDED.at >= s.grace_started_at))
    RETURNING l.key_id, l.version`;
}
