/**
 * SPEC §15: webhooks, their durable delivery queue, the notices the expiry watch has sent, and
 * the per-project exposure policy. Signing secrets are sealed (AES-256-GCM, key derived from the
 * pepper): the server must read them back to sign, so a digest cannot do.
 */
export const webhookMigration = `
  CREATE TABLE webhooks (
    id text PRIMARY KEY,
    url text NOT NULL,
    events jsonb NOT NULL,
    project text REFERENCES projects (name) ON DELETE CASCADE,
    environment text CHECK (environment IN ('test', 'live')),
    sealed_secret text NOT NULL,
    created_by text,
    created_at timestamptz NOT NULL
  );

  -- One event, as it is sent to every webhook it matches (the webhook-id header is its id).
  CREATE TABLE webhook_messages (
    id text PRIMARY KEY,
    type text NOT NULL,
    project text,
    environment text,
    payload text NOT NULL,
    created_at timestamptz NOT NULL
  );

  CREATE TABLE webhook_deliveries (
    id text PRIMARY KEY,
    webhook_id text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    message_id text NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
    status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts jsonb NOT NULL,
    -- Due time while pending; a claimed delivery's lease end, so a crashed sender's work comes back.
    next_attempt_at timestamptz,
    created_at timestamptz NOT NULL
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
  CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at);

  -- What the expiry watch has announced, so each threshold fires once per key (and per expiry).
  CREATE TABLE key_notices (
    key_id text NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    notice text NOT NULL,
    due_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (key_id, notice, due_at)
  );

  CREATE TABLE project_policies (
    project text PRIMARY KEY REFERENCES projects (name) ON DELETE CASCADE,
    policy jsonb NOT NULL,
    updated_at timestamptz NOT NULL
  );
`;
