import type { Database } from "./database";
import { rateLimitWindowsMigration } from "./migrations/rate-limit-windows";
import { keyPoliciesMigration } from "./migrations/key-policies";
import { trustPoliciesMigration } from "./migrations/trust-policies";
import { webhookMigration } from "./webhook-migration";
import { verifierDigestsMigration } from "./migrations/verifier-digests";
import { usageFlushMigration } from "./migrations/usage-flush";
import { keyLastUsesMigration } from "./migrations/key-last-uses";
import { firstUseFlushMigration } from "./migrations/first-use-flush";

/**
 * The one schema both backends run. Append a migration; never edit one that has shipped.
 * Secrets and management tokens appear only as HMAC-SHA256 digests (SPEC §2 storage rules).
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE settings (name text PRIMARY KEY, value text NOT NULL);

  CREATE TABLE projects (
    name text PRIMARY KEY,
    description text,
    created_at timestamptz NOT NULL
  );

  CREATE TABLE scopes (
    project text NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
    name text NOT NULL,
    description text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (project, name)
  );

  CREATE TABLE api_keys (
    id text PRIMARY KEY,
    project text NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
    environment text NOT NULL CHECK (environment IN ('test', 'live')),
    name text NOT NULL,
    scopes jsonb NOT NULL,
    version integer NOT NULL,
    hint text NOT NULL,
    expires_at timestamptz,
    rotation jsonb,
    rotated_at timestamptz,
    next_rotation_at timestamptz,
    ip_allowlist jsonb,
    rate_limit jsonb,
    metadata jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    last_used_at timestamptz,
    last_used_ip text,
    revoked_at timestamptz
  );
  -- A revoked key keeps its row (audit, usage) but frees its name for a replacement.
  CREATE UNIQUE INDEX api_keys_live_name ON api_keys (project, environment, name) WHERE revoked_at IS NULL;
  CREATE INDEX api_keys_listing ON api_keys (project, environment, id);

  CREATE TABLE key_secrets (
    digest text PRIMARY KEY,
    key_id text NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    version integer NOT NULL,
    hint text NOT NULL,
    expires_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL
  );
  CREATE INDEX key_secrets_by_key ON key_secrets (key_id, version);

  CREATE TABLE management_tokens (
    id text PRIMARY KEY,
    name text NOT NULL,
    scopes jsonb NOT NULL,
    project text REFERENCES projects (name) ON DELETE CASCADE,
    environment text CHECK (environment IN ('test', 'live')),
    digest text NOT NULL UNIQUE,
    hint text NOT NULL,
    expires_at timestamptz,
    created_at timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at timestamptz
  );

  CREATE TABLE audit_events (
    seq bigint PRIMARY KEY,
    id text NOT NULL UNIQUE,
    time timestamptz NOT NULL,
    actor text,
    action text NOT NULL,
    target text,
    project text,
    environment text,
    source_ip text,
    request_id text NOT NULL,
    details jsonb NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL
  );
  CREATE INDEX audit_events_by_time ON audit_events (time);
  -- One row that every append locks: the chain has exactly one head, even across instances.
  CREATE TABLE audit_head (id integer PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL, hash text NOT NULL);
  INSERT INTO audit_head VALUES (1, 0, '${"0".repeat(64)}');

  CREATE TABLE key_usage (
    key_id text NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    bucket timestamptz NOT NULL,
    code text NOT NULL,
    count integer NOT NULL,
    PRIMARY KEY (key_id, bucket, code)
  );

  CREATE TABLE idempotency_records (
    token_id text NOT NULL,
    key_digest text NOT NULL,
    fingerprint text NOT NULL,
    status integer NOT NULL,
    sealed text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (token_id, key_digest)
  );
  CREATE INDEX idempotency_records_by_age ON idempotency_records (created_at);
  `,
  trustPoliciesMigration,
  // stateless secrets (SPEC §13): where a key's secret is delivered, and every digest ever issued,
  // kept past a purge, so a client-supplied secret can never be one that was used before.
  `
  ALTER TABLE api_keys ADD COLUMN destinations jsonb NOT NULL DEFAULT '[]'::jsonb;
  CREATE TABLE used_secret_digests (digest text PRIMARY KEY, created_at timestamptz NOT NULL);
  INSERT INTO used_secret_digests (digest, created_at) SELECT digest, created_at FROM key_secrets;
  `,
  webhookMigration,
  verifierDigestsMigration,
  rateLimitWindowsMigration,
  keyPoliciesMigration,
  usageFlushMigration,
  keyLastUsesMigration,
  firstUseFlushMigration,
];

/** Brings the schema up to date; safe to call from several processes at once. */
export async function migrate(database: Database): Promise<void> {
  await database.transaction(async (tx) => {
    // Serialises concurrent starts on one PostgreSQL; released at commit.
    await tx.query("SELECT pg_advisory_xact_lock(74201)");
    await tx.query("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
    const rows = await tx.query<{ version: number }>("SELECT version FROM schema_migrations");
    const applied = new Set(rows.map((row) => Number(row.version)));
    for (const [index, sql] of migrations.entries()) {
      const version = index + 1;
      if (applied.has(version)) continue;
      await tx.script(sql);
      await tx.query("INSERT INTO schema_migrations (version) VALUES ($1)", [version]);
    }
  });
}
