import type { Queryable } from "./database";
import { KEY_LAST_USE_JOIN, type KeyRecord, keyFromRow } from "./key-store";

/** Notices the expiry watch sends at most once per key, threshold and due time. */
export class KeyNoticeStore {
  constructor(private readonly db: Queryable) {}

  /** True when this notice is new (and now recorded); false when some instance already sent it. */
  async record(keyId: string, notice: string, dueAt: Date, now: Date): Promise<boolean> {
    const rows = await this.db.query(
      "INSERT INTO key_notices (key_id, notice, due_at, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING key_id",
      [keyId, notice, dueAt.toISOString(), now.toISOString()],
    );
    return rows.length === 1;
  }

  /**
   * Keys not revoked that expire within the widest of `thresholdsDays` and have not yet been
   * announced for the nearest threshold they are inside.
   */
  async expiringUnannounced(now: Date, thresholdsDays: readonly number[], limit: number): Promise<KeyRecord[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT k.*, last_use.* FROM api_keys AS k ${KEY_LAST_USE_JOIN}
       WHERE k.revoked_at IS NULL AND k.expires_at > $1::timestamptz
         AND k.expires_at <= $1::timestamptz + (SELECT max(d) FROM unnest($2::int[]) AS d) * interval '1 day'
         AND NOT EXISTS (
           SELECT 1 FROM key_notices AS n
           WHERE n.key_id = k.id AND n.due_at = k.expires_at
             AND n.notice = 'expiring:' || (SELECT min(d) FROM unnest($2::int[]) AS d WHERE k.expires_at <= $1::timestamptz + d * interval '1 day'))
       ORDER BY k.expires_at LIMIT $3`,
      [now.toISOString(), thresholdsDays, limit],
    );
    return rows.map((row) => keyFromRow(row));
  }

  /** Keys not revoked whose rotation was due by `now` and that have not been announced for that due time. */
  async rotationOverdue(now: Date, limit: number): Promise<KeyRecord[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT k.*, last_use.* FROM api_keys AS k ${KEY_LAST_USE_JOIN}
       WHERE k.revoked_at IS NULL AND k.next_rotation_at <= $1
         AND (k.expires_at IS NULL OR k.expires_at > $1)
         AND NOT EXISTS (SELECT 1 FROM key_notices AS n WHERE n.key_id = k.id AND n.notice = 'rotation_overdue' AND n.due_at = k.next_rotation_at)
       ORDER BY k.next_rotation_at LIMIT $2`,
      [now.toISOString(), limit],
    );
    return rows.map((row) => keyFromRow(row));
  }
}
