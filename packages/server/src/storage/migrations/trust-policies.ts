/**
 * SPEC §14: trust policies, and the ID tokens already exchanged (by issuer and `jti`) so none is
 * accepted twice, across restarts and instances. Rows are pruned once the token has expired.
 */
export const trustPoliciesMigration = `
  CREATE TABLE trust_policies (
    name text PRIMARY KEY,
    issuer text NOT NULL,
    audience text NOT NULL,
    claims jsonb NOT NULL,
    scopes jsonb NOT NULL,
    project text REFERENCES projects (name) ON DELETE CASCADE,
    environment text CHECK (environment IN ('test', 'live')),
    ttl_ms integer NOT NULL,
    expires_at timestamptz,
    created_by text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
  );
  CREATE INDEX trust_policies_by_issuer ON trust_policies (issuer, name);

  CREATE TABLE exchanged_id_tokens (
    issuer text NOT NULL,
    jti text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (issuer, jti)
  );
  CREATE INDEX exchanged_id_tokens_by_expiry ON exchanged_id_tokens (expires_at);
`;
