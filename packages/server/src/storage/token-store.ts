import type { Environment, ManagementScope } from "@keyward/contract";
import { type Queryable, toDate, toDateOrNull } from "./database";

export interface TokenRecord {
  id: string;
  name: string;
  scopes: ManagementScope[];
  project: string | null;
  environment: Environment | null;
  digest: string;
  hint: string;
  expiresAt: Date | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

type TokenRow = Record<string, unknown>;

function tokenFromRow(row: TokenRow): TokenRecord {
  return {
    id: row.id as string,
    name: row.name as string,
    scopes: row.scopes as ManagementScope[],
    project: (row.project as string | null) ?? null,
    environment: (row.environment as Environment | null) ?? null,
    digest: row.digest as string,
    hint: row.hint as string,
    expiresAt: toDateOrNull(row.expires_at),
    createdAt: toDate(row.created_at),
    lastUsedAt: toDateOrNull(row.last_used_at),
    revokedAt: toDateOrNull(row.revoked_at),
  };
}

export class TokenStore {
  constructor(private readonly db: Queryable) {}

  async insert(token: TokenRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO management_tokens (id, name, scopes, project, environment, digest, hint, expires_at, created_at, last_used_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        token.id, token.name, JSON.stringify(token.scopes), token.project, token.environment, token.digest, token.hint,
        token.expiresAt?.toISOString() ?? null, token.createdAt.toISOString(), token.lastUsedAt?.toISOString() ?? null,
        token.revokedAt?.toISOString() ?? null,
      ],
    );
  }

  async findByDigest(digest: string): Promise<TokenRecord | undefined> {
    const [row] = await this.db.query<TokenRow>("SELECT * FROM management_tokens WHERE digest = $1", [digest]);
    return row && tokenFromRow(row);
  }

  async get(id: string): Promise<TokenRecord | undefined> {
    const [row] = await this.db.query<TokenRow>("SELECT * FROM management_tokens WHERE id = $1", [id]);
    return row && tokenFromRow(row);
  }

  /** Tokens not revoked, by id; `project` restricts to tokens bound to it. */
  async list(options: { project?: string; after?: string; limit: number }): Promise<TokenRecord[]> {
    const rows = await this.db.query<TokenRow>(
      `SELECT * FROM management_tokens WHERE revoked_at IS NULL AND ($1::text IS NULL OR project = $1)
         AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3`,
      [options.project ?? null, options.after ?? null, options.limit],
    );
    return rows.map(tokenFromRow);
  }

  /**
   * Active, unexpired admin tokens with no binding, locked until the transaction ends, so two
   * revocations racing each other cannot both see the other survive.
   */
  async lockActiveRootTokens(now: Date): Promise<TokenRecord[]> {
    const rows = await this.db.query<TokenRow>(
      `SELECT * FROM management_tokens
       WHERE revoked_at IS NULL AND project IS NULL AND environment IS NULL AND scopes @> '["admin"]'::jsonb
         AND (expires_at IS NULL OR expires_at > $1)
       ORDER BY id FOR UPDATE`,
      [now.toISOString()],
    );
    return rows.map(tokenFromRow);
  }

  async revoke(id: string, at: Date): Promise<void> {
    await this.db.query("UPDATE management_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", [id, at.toISOString()]);
  }

  /** Like `KeyStore.recordLastUse`: one statement, a time written only when it moves on by `resolutionMs`. Answers the ids it wrote. */
  async recordLastUse(uses: readonly { id: string; at: Date }[], resolutionMs = 0): Promise<string[]> {
    if (uses.length === 0) return [];
    const rows = await this.db.query<{ id: string }>(
      `UPDATE management_tokens AS t SET last_used_at = u.at FROM unnest($1::text[], $2::timestamptz[]) AS u (id, at)
       WHERE t.id = u.id
         AND (t.last_used_at IS NULL OR (t.last_used_at < u.at AND t.last_used_at <= u.at - $3::float8 * interval '1 millisecond'))
       RETURNING t.id`,
      [uses.map((use) => use.id), uses.map((use) => use.at.toISOString()), resolutionMs],
    );
    return rows.map((row) => row.id);
  }
}
