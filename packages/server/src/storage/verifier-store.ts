import type { Environment } from "@keyward/contract";
import { type Queryable, toDateOrNull } from "./database";
import { KEYS_WITH_LAST_USE, type KeyRecord, keyFromRow } from "./key-store";

/** A secret as a verifier knows it: by its verifier digest, never the storage digest. */
export interface VerifierSecretRecord {
  keyId: string;
  version: number;
  /** Null for a secret issued before verifier digests existed. */
  verifierDigest: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface VerifierScope {
  project: string;
  /** Null: both environments. */
  environment: Environment | null;
}

/** Where a key lives, and when each of its secrets (by version) was issued. */
export interface KeyPlacement {
  project: string;
  environment: Environment;
  issuedAt: Map<number, Date>;
}

type Row = Record<string, unknown>;

function secretOf(row: Row): VerifierSecretRecord {
  return {
    keyId: row.key_id as string,
    version: Number(row.version),
    verifierDigest: (row.verifier_digest as string | null) ?? null,
    expiresAt: toDateOrNull(row.expires_at),
    revokedAt: toDateOrNull(row.revoked_at),
  };
}

/** What `GET /v1/verifier/snapshot` and the change stream read (SPEC §16). */
export class VerifierStore {
  constructor(private readonly db: Queryable) {}

  /** Written in the transaction that issues the secret, beside its storage digest. */
  async recordDigest(storageDigest: string, verifierDigest: string): Promise<void> {
    await this.db.query("UPDATE key_secrets SET verifier_digest = $2 WHERE digest = $1", [storageDigest, verifierDigest]);
  }

  /** Every key of the scope with every stored secret, oldest key first. */
  async keysOf(scope: VerifierScope): Promise<{ key: KeyRecord; secrets: VerifierSecretRecord[] }[]> {
    const keys = await this.db.query<Row>(`${KEYS_WITH_LAST_USE} WHERE k.project = $1 AND ($2::text IS NULL OR k.environment = $2) ORDER BY k.id`, [
      scope.project,
      scope.environment,
    ]);
    const secrets = await this.db.query<Row>(
      `SELECT s.key_id, s.version, s.verifier_digest, s.expires_at, s.revoked_at FROM key_secrets s JOIN api_keys k ON k.id = s.key_id
       WHERE k.project = $1 AND ($2::text IS NULL OR k.environment = $2) ORDER BY s.key_id, s.version DESC`,
      [scope.project, scope.environment],
    );
    const byKey = new Map<string, VerifierSecretRecord[]>();
    for (const row of secrets) {
      const secret = secretOf(row);
      let list = byKey.get(secret.keyId);
      if (!list) byKey.set(secret.keyId, (list = []));
      list.push(secret);
    }
    return keys.map((row) => {
      const key = keyFromRow(row);
      return { key, secrets: byKey.get(key.id) ?? [] };
    });
  }

  /**
   * Where each of these keys lives and when each of its secrets was issued, in one query (a usage
   * report names many); deleted keys are absent.
   */
  async placements(ids: readonly string[]): Promise<Map<string, KeyPlacement>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.query<Row>(
      `SELECT k.id, k.project, k.environment, s.version, s.created_at FROM api_keys k LEFT JOIN key_secrets s ON s.key_id = k.id
       WHERE k.id = ANY($1::text[])`,
      [ids],
    );
    const placements = new Map<string, KeyPlacement>();
    for (const row of rows) {
      let placement = placements.get(row.id as string);
      if (!placement) placements.set(row.id as string, (placement = { project: row.project as string, environment: row.environment as Environment, issuedAt: new Map() }));
      const issuedAt = toDateOrNull(row.created_at);
      if (row.version !== null && issuedAt) placement.issuedAt.set(Number(row.version), issuedAt);
    }
    return placements;
  }

  /** One key with its secrets; undefined once it is deleted. */
  async keyById(id: string): Promise<{ key: KeyRecord; secrets: VerifierSecretRecord[] } | undefined> {
    const [row] = await this.db.query<Row>(`${KEYS_WITH_LAST_USE} WHERE k.id = $1`, [id]);
    if (!row) return undefined;
    const secrets = await this.db.query<Row>("SELECT key_id, version, verifier_digest, expires_at, revoked_at FROM key_secrets WHERE key_id = $1 ORDER BY version DESC", [id]);
    return { key: keyFromRow(row), secrets: secrets.map(secretOf) };
  }
}
