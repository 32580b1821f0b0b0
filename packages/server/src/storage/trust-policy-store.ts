import type { Environment, ManagementScope } from "@keyward/contract";
import { type Queryable, toDate, toDateOrNull, toNumber } from "./database";

export interface TrustPolicyRecord {
  name: string;
  issuer: string;
  audience: string;
  claims: Record<string, string>;
  scopes: ManagementScope[];
  project: string | null;
  environment: Environment | null;
  ttlMs: number;
  /** The expiry of the token that wrote the policy: a policy never outlives its creator's authority. */
  expiresAt: Date | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type TrustPolicyRow = Record<string, unknown>;

function policyFromRow(row: TrustPolicyRow): TrustPolicyRecord {
  return {
    name: row.name as string,
    issuer: row.issuer as string,
    audience: row.audience as string,
    claims: row.claims as Record<string, string>,
    scopes: row.scopes as ManagementScope[],
    project: (row.project as string | null) ?? null,
    environment: (row.environment as Environment | null) ?? null,
    ttlMs: toNumber(row.ttl_ms),
    expiresAt: toDateOrNull(row.expires_at),
    createdBy: (row.created_by as string | null) ?? null,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export class TrustPolicyStore {
  constructor(private readonly db: Queryable) {}

  async get(name: string): Promise<TrustPolicyRecord | undefined> {
    const [row] = await this.db.query<TrustPolicyRow>("SELECT * FROM trust_policies WHERE name = $1", [name]);
    return row && policyFromRow(row);
  }

  /** Inserts or replaces the policy named `policy.name`; `createdAt` of an existing row is kept. */
  async put(policy: TrustPolicyRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO trust_policies (name, issuer, audience, claims, scopes, project, environment, ttl_ms, expires_at, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (name) DO UPDATE SET issuer = $2, audience = $3, claims = $4, scopes = $5, project = $6, environment = $7,
         ttl_ms = $8, expires_at = $9, created_by = $10, updated_at = $12`,
      [
        policy.name, policy.issuer, policy.audience, JSON.stringify(policy.claims), JSON.stringify(policy.scopes), policy.project,
        policy.environment, policy.ttlMs, policy.expiresAt?.toISOString() ?? null, policy.createdBy, policy.createdAt.toISOString(),
        policy.updatedAt.toISOString(),
      ],
    );
  }

  async list(options: { after?: string; limit: number }): Promise<TrustPolicyRecord[]> {
    const rows = await this.db.query<TrustPolicyRow>("SELECT * FROM trust_policies WHERE ($1::text IS NULL OR name > $1) ORDER BY name LIMIT $2", [
      options.after ?? null,
      options.limit,
    ]);
    return rows.map(policyFromRow);
  }

  /** The policies an ID token from `issuer` may match, in name order. */
  async forIssuer(issuer: string): Promise<TrustPolicyRecord[]> {
    const rows = await this.db.query<TrustPolicyRow>("SELECT * FROM trust_policies WHERE issuer = $1 ORDER BY name", [issuer]);
    return rows.map(policyFromRow);
  }

  async delete(name: string): Promise<void> {
    await this.db.query("DELETE FROM trust_policies WHERE name = $1", [name]);
  }

  /**
   * Records that the ID token `(issuer, jti)` was exchanged. False when it already was: a replay.
   * Committed with the minted token, so two concurrent exchanges of one ID token cannot both win.
   */
  async claimJti(issuer: string, jti: string, expiresAt: Date): Promise<boolean> {
    const rows = await this.db.query(
      "INSERT INTO exchanged_id_tokens (issuer, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT (issuer, jti) DO NOTHING RETURNING jti",
      [issuer, jti, expiresAt.toISOString()],
    );
    return rows.length === 1;
  }

  /** Forgets exchanged ID tokens that expired before `before`: they can no longer be presented. */
  async pruneExchangedBefore(before: Date): Promise<number> {
    const rows = await this.db.query("DELETE FROM exchanged_id_tokens WHERE expires_at < $1 RETURNING jti", [before.toISOString()]);
    return rows.length;
  }
}
