import { type Queryable, toDate, toDateOrNull, toNumber } from "./database";
import { type KeyRecord, keyFromRow } from "./key-store";

/** One issued secret of a key, known only by its digest. */
export interface SecretRecord {
  digest: string;
  keyId: string;
  version: number;
  hint: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

type SecretRow = Record<string, unknown>;

const LOOKUP = `SELECT s.digest AS s_digest, s.key_id AS s_key_id, s.version AS s_version, s.hint AS s_hint, s.expires_at AS s_expires_at,
       s.revoked_at AS s_revoked_at, s.created_at AS s_created_at, k.*
  FROM key_secrets s JOIN api_keys k ON k.id = s.key_id`;

function secretFromRow(row: SecretRow, prefix = ""): SecretRecord {
  const get = (column: string) => row[prefix + column];
  return {
    digest: get("digest") as string,
    keyId: get("key_id") as string,
    version: toNumber(get("version")),
    hint: get("hint") as string,
    expiresAt: toDateOrNull(get("expires_at")),
    revokedAt: toDateOrNull(get("revoked_at")),
    createdAt: toDate(get("created_at")),
  };
}

export class SecretStore {
  constructor(private readonly db: Queryable) {}

  /** Also remembers the digest for good: a client-supplied secret may never repeat one (SPEC §13). */
  async insert(secret: SecretRecord): Promise<void> {
    await this.db.query("INSERT INTO used_secret_digests (digest, created_at) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING", [
      secret.digest,
      secret.createdAt.toISOString(),
    ]);
    await this.db.query(
      "INSERT INTO key_secrets (digest, key_id, version, hint, expires_at, revoked_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      [secret.digest, secret.keyId, secret.version, secret.hint, secret.expiresAt?.toISOString() ?? null, secret.revokedAt?.toISOString() ?? null, secret.createdAt.toISOString()],
    );
  }

  /** True when any key ever held a secret with this digest, current, previous, revoked or purged. */
  async everIssued(digest: string): Promise<boolean> {
    const rows = await this.db.query("SELECT 1 FROM used_secret_digests WHERE digest = $1 UNION ALL SELECT 1 FROM key_secrets WHERE digest = $1 LIMIT 1", [digest]);
    return rows.length > 0;
  }

  /** Newest first. */
  async listForKey(keyId: string): Promise<SecretRecord[]> {
    const rows = await this.db.query<SecretRow>("SELECT * FROM key_secrets WHERE key_id = $1 ORDER BY version DESC", [keyId]);
    return rows.map((row) => secretFromRow(row));
  }

  async update(secret: SecretRecord): Promise<void> {
    await this.db.query("UPDATE key_secrets SET expires_at = $2, revoked_at = $3 WHERE digest = $1", [
      secret.digest,
      secret.expiresAt?.toISOString() ?? null,
      secret.revokedAt?.toISOString() ?? null,
    ]);
  }

  async revokeAll(keyId: string, at: Date): Promise<void> {
    await this.db.query("UPDATE key_secrets SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL", [keyId, at.toISOString()]);
  }

  /** Every stored digest, for the verify path's index of them (SPEC §16: unknown secrets never reach the database). */
  async allDigests(): Promise<string[]> {
    const rows = await this.db.query<{ digest: string }>("SELECT digest FROM key_secrets");
    return rows.map((row) => row.digest);
  }

  async digestsOf(keyId: string): Promise<string[]> {
    const rows = await this.db.query<{ digest: string }>("SELECT digest FROM key_secrets WHERE key_id = $1", [keyId]);
    return rows.map((row) => row.digest);
  }

  /** Up to `limit` secrets that can still verify, newest first, with their keys: what a starting server caches. */
  async verifiable(limit: number, now: Date): Promise<Array<{ key: KeyRecord; secret: SecretRecord }>> {
    const rows = await this.db.query<SecretRow>(
      `${LOOKUP} WHERE s.revoked_at IS NULL AND k.revoked_at IS NULL AND (s.expires_at IS NULL OR s.expires_at > $2) ORDER BY s.created_at DESC LIMIT $1`,
      [limit, now.toISOString()],
    );
    return rows.map((row) => ({ key: keyFromRow(row), secret: secretFromRow(row, "s_") }));
  }

  /** The verify path's one query: the secret with its key, by digest. */
  async lookup(digest: string): Promise<{ key: KeyRecord; secret: SecretRecord } | undefined> {
    const [row] = await this.db.query<SecretRow>(`${LOOKUP} WHERE s.digest = $1`, [digest]);
    if (!row) return undefined;
    return { key: keyFromRow(row), secret: secretFromRow(row, "s_") };
  }
}
