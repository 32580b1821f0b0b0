import { type Queryable, toDate } from "./database";

/** The saved answer of an idempotent request, sealed (AES-256-GCM) because it may hold a secret. */
export interface IdempotencyRecord {
  tokenId: string;
  keyDigest: string;
  fingerprint: string;
  status: number;
  sealed: string;
  createdAt: Date;
}

export class IdempotencyStore {
  constructor(private readonly db: Queryable) {}

  async find(tokenId: string, keyDigest: string, notBefore: Date): Promise<IdempotencyRecord | undefined> {
    const [row] = await this.db.query<Record<string, unknown>>(
      "SELECT * FROM idempotency_records WHERE token_id = $1 AND key_digest = $2 AND created_at >= $3",
      [tokenId, keyDigest, notBefore.toISOString()],
    );
    if (!row) return undefined;
    return {
      tokenId: row.token_id as string,
      keyDigest: row.key_digest as string,
      fingerprint: row.fingerprint as string,
      status: Number(row.status),
      sealed: row.sealed as string,
      createdAt: toDate(row.created_at),
    };
  }

  /** Fails with a unique violation when a concurrent request with the same key got there first. */
  async insert(record: IdempotencyRecord): Promise<void> {
    // An expired record with the same key is replaced: after 24 h the key is free again.
    await this.db.query("DELETE FROM idempotency_records WHERE token_id = $1 AND key_digest = $2 AND created_at < $3", [
      record.tokenId,
      record.keyDigest,
      new Date(record.createdAt.getTime() - IDEMPOTENCY_TTL_MS).toISOString(),
    ]);
    await this.db.query(
      "INSERT INTO idempotency_records (token_id, key_digest, fingerprint, status, sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
      [record.tokenId, record.keyDigest, record.fingerprint, record.status, record.sealed, record.createdAt.toISOString()],
    );
  }

  async deleteOlderThan(before: Date): Promise<number> {
    const rows = await this.db.query("DELETE FROM idempotency_records WHERE created_at < $1 RETURNING token_id", [before.toISOString()]);
    return rows.length;
  }
}

/** SPEC §2: a saved answer lives 24 hours. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
