import type { Destination, Environment, KeyStatus, RateLimit, Rotation } from "@keyward/contract";
import { type Queryable, toDate, toDateOrNull, toNumber } from "./database";
import { LastUseStore, NO_SECRET_VERSION } from "./last-use-store";

export interface KeyRecord {
  id: string;
  project: string;
  environment: Environment;
  name: string;
  scopes: string[];
  version: number;
  hint: string;
  expiresAt: Date | null;
  rotation: Rotation | null;
  rotatedAt: Date | null;
  nextRotationAt: Date | null;
  ipAllowlist: string[] | null;
  rateLimit: RateLimit | null;
  metadata: Record<string, string>;
  /** Where the secret is delivered (SPEC §13): locations and names, never values. */
  destinations: Destination[];
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
}

export interface KeyCount {
  readonly environment: Environment;
  readonly status: KeyStatus;
  readonly count: number;
}

export interface KeyFilter {
  project?: string;
  environment?: Environment;
  status?: KeyStatus;
  rotationDue?: boolean;
  name?: string;
  /** `status` and `rotationDue` are judged at this instant. */
  now: Date;
  after?: string;
  limit: number;
}

type KeyRow = Record<string, unknown>;

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

export function keyFromRow(row: KeyRow, prefix = ""): KeyRecord {
  const get = (column: string) => row[prefix + column];
  return {
    id: get("id") as string,
    project: get("project") as string,
    environment: get("environment") as Environment,
    name: get("name") as string,
    scopes: get("scopes") as string[],
    version: toNumber(get("version")),
    hint: get("hint") as string,
    expiresAt: toDateOrNull(get("expires_at")),
    rotation: (get("rotation") as Rotation | null) ?? null,
    rotatedAt: toDateOrNull(get("rotated_at")),
    nextRotationAt: toDateOrNull(get("next_rotation_at")),
    ipAllowlist: (get("ip_allowlist") as string[] | null) ?? null,
    rateLimit: (get("rate_limit") as RateLimit | null) ?? null,
    metadata: (get("metadata") as Record<string, string>) ?? {},
    destinations: (get("destinations") as Destination[] | null) ?? [],
    createdAt: toDate(get("created_at")),
    updatedAt: toDate(get("updated_at")),
    lastUsedAt: toDateOrNull(get("last_used_at")),
    lastUsedIp: (get("last_used_ip") as string | null) ?? null,
    revokedAt: toDateOrNull(get("revoked_at")),
  };
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

/**
 * Where a read of keys finds each key's last use: its newest row in `key_last_uses` (each secret's,
 * version 0 for uses that named none), at a tie the one that named none. Select `k.*, last_use.*`.
 */
export const KEY_LAST_USE_JOIN = `LEFT JOIN LATERAL (
    SELECT at AS last_used_at, ip AS last_used_ip FROM key_last_uses WHERE key_id = k.id ORDER BY at DESC, version LIMIT 1
  ) AS last_use ON true`;

/** Every column of `keyFromRow`, for `WHERE` clauses on `k`. */
export const KEYS_WITH_LAST_USE = `SELECT k.*, last_use.* FROM api_keys AS k ${KEY_LAST_USE_JOIN}`;

export class KeyStore {
  constructor(private readonly db: Queryable) {}

  async insert(key: KeyRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO api_keys (id, project, environment, name, scopes, version, hint, expires_at, rotation, rotated_at,
         next_rotation_at, ip_allowlist, rate_limit, metadata, created_at, updated_at, revoked_at, destinations)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
      [
        key.id, key.project, key.environment, key.name, json(key.scopes), key.version, key.hint, iso(key.expiresAt), json(key.rotation),
        iso(key.rotatedAt), iso(key.nextRotationAt), json(key.ipAllowlist), json(key.rateLimit), json(key.metadata),
        iso(key.createdAt), iso(key.updatedAt), iso(key.revokedAt), json(key.destinations),
      ],
    );
    if (key.lastUsedAt) await new LastUseStore(this.db).record([{ keyId: key.id, version: NO_SECRET_VERSION, at: key.lastUsedAt, ip: key.lastUsedIp }]);
  }

  /** Writes every field a mutation may change. */
  async update(key: KeyRecord): Promise<void> {
    await this.db.query(
      `UPDATE api_keys SET name = $2, scopes = $3, version = $4, hint = $5, expires_at = $6, rotation = $7, rotated_at = $8,
         next_rotation_at = $9, ip_allowlist = $10, rate_limit = $11, metadata = $12, updated_at = $13, revoked_at = $14,
         destinations = $15
       WHERE id = $1`,
      [
        key.id, key.name, json(key.scopes), key.version, key.hint, iso(key.expiresAt), json(key.rotation), iso(key.rotatedAt),
        iso(key.nextRotationAt), json(key.ipAllowlist), json(key.rateLimit), json(key.metadata), iso(key.updatedAt), iso(key.revokedAt),
        json(key.destinations),
      ],
    );
  }

  /** `lock` holds the row until the transaction ends, so two rotations cannot interleave. */
  async get(id: string, options: { lock?: boolean } = {}): Promise<KeyRecord | undefined> {
    const [row] = await this.db.query<KeyRow>(`${KEYS_WITH_LAST_USE} WHERE k.id = $1${options.lock ? " FOR UPDATE OF k" : ""}`, [id]);
    return row && keyFromRow(row);
  }

  async list(filter: KeyFilter): Promise<KeyRecord[]> {
    const rows = await this.db.query<KeyRow>(
      `${KEYS_WITH_LAST_USE}
       WHERE ($1::text IS NULL OR project = $1)
         AND ($2::text IS NULL OR environment = $2)
         AND ($3::text IS NULL
              OR ($3 = 'revoked' AND revoked_at IS NOT NULL)
              OR ($3 = 'expired' AND revoked_at IS NULL AND expires_at <= $5::timestamptz)
              OR ($3 = 'active' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $5::timestamptz)))
         AND ($4::boolean IS NULL
              OR $4 = (revoked_at IS NULL AND next_rotation_at IS NOT NULL AND next_rotation_at <= $5::timestamptz))
         AND ($6::text IS NULL OR name = $6)
         AND ($7::text IS NULL OR id > $7)
       ORDER BY id LIMIT $8`,
      [
        filter.project ?? null, filter.environment ?? null, filter.status ?? null, filter.rotationDue ?? null,
        filter.now.toISOString(), filter.name ?? null, filter.after ?? null, filter.limit,
      ],
    );
    return rows.map((row) => keyFromRow(row));
  }

  /** The key that is not revoked with this name, if any: names are unique per project and environment. */
  async findActiveByName(project: string, environment: Environment, name: string): Promise<KeyRecord | undefined> {
    const [row] = await this.db.query<KeyRow>(
      `${KEYS_WITH_LAST_USE} WHERE k.project = $1 AND k.environment = $2 AND k.name = $3 AND k.revoked_at IS NULL`,
      [project, environment, name],
    );
    return row && keyFromRow(row);
  }

  /** True when a key that is not revoked holds `scope`. */
  async scopeInUse(project: string, scope: string): Promise<boolean> {
    const rows = await this.db.query(
      "SELECT 1 FROM api_keys WHERE project = $1 AND revoked_at IS NULL AND scopes @> $2::jsonb LIMIT 1",
      [project, JSON.stringify([scope])],
    );
    return rows.length > 0;
  }

  /** How many keys there are by environment and status at `now`: one grouped count, for /metrics. */
  async countByStatus(now: Date): Promise<KeyCount[]> {
    const rows = await this.db.query<{ environment: Environment; status: KeyCount["status"]; count: string | number }>(
      `SELECT environment,
              CASE WHEN revoked_at IS NOT NULL THEN 'revoked'
                   WHEN expires_at IS NOT NULL AND expires_at <= $1::timestamptz THEN 'expired'
                   ELSE 'active' END AS status,
              count(*) AS count
       FROM api_keys GROUP BY 1, 2`,
      [now.toISOString()],
    );
    return rows.map((row) => ({ environment: row.environment, status: row.status, count: Number(row.count) }));
  }

  async delete(id: string): Promise<void> {
    await this.db.query("DELETE FROM api_keys WHERE id = $1", [id]);
  }

  /** Data retention: keys revoked before `before`, with their secrets and usage. */
  async purgeRevoked(before: Date): Promise<number> {
    const rows = await this.db.query("DELETE FROM api_keys WHERE revoked_at < $1 RETURNING id", [before.toISOString()]);
    return rows.length;
  }
}
