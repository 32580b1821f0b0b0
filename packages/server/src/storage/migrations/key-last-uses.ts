/**
 * SPEC §16 first verification of stored keys: a key's first use writes one narrow row instead of
 * rewriting its key's and its secret's wide rows (every index of both, a non-HOT update each).
 *
 * `key_last_uses` holds each secret's last use, keyed by (key, version); version 0 is a use of the
 * key with no known secret (a report that named none). A key's own last use is its newest row, read
 * by a join where keys are read. The values move over from the old columns, which go: a key whose
 * own last use is none of its secrets' (used before secrets kept theirs) keeps it as version 0.
 * A key's rows go with it, by the trigger that deletes its usage counts.
 */
export const keyLastUsesMigration = `
  CREATE TABLE key_last_uses (
    key_id text NOT NULL,
    version integer NOT NULL,
    at timestamptz NOT NULL,
    ip text,
    PRIMARY KEY (key_id, version)
  ) WITH (fillfactor = 70);
  INSERT INTO key_last_uses (key_id, version, at, ip)
    SELECT key_id, version, last_used_at, last_used_ip FROM key_secrets WHERE last_used_at IS NOT NULL;
  INSERT INTO key_last_uses (key_id, version, at, ip)
    SELECT k.id, 0, k.last_used_at, k.last_used_ip FROM api_keys AS k
    WHERE k.last_used_at IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM key_secrets AS s
      WHERE s.key_id = k.id AND s.last_used_at = k.last_used_at AND s.last_used_ip IS NOT DISTINCT FROM k.last_used_ip);
  ALTER TABLE api_keys DROP COLUMN last_used_at, DROP COLUMN last_used_ip;
  ALTER TABLE key_secrets DROP COLUMN last_used_at, DROP COLUMN last_used_ip;
  CREATE OR REPLACE FUNCTION keyward_delete_key_usage() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    DELETE FROM key_usage WHERE key_id = OLD.id;
    DELETE FROM key_last_uses WHERE key_id = OLD.id;
    RETURN NULL;
  END
  $$;
`;
