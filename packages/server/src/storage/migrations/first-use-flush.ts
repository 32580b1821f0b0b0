/**
 * SPEC §16 first verification of stored keys: the usage flush no longer looks every key it writes up
 * in `api_keys` (a fifth of a flush of first uses) to drop counts and last uses of keys deleted since
 * they were gathered. Instead a key's deletion leaves its id in `deleted_keys`, which the flush
 * consults only while it holds any: almost always it is empty, and even after a purge it is far
 * smaller than the keys. The flush removes an id once no batch still being written can hold the
 * key's uses (see `UsageStore.add`). The trigger that deletes a key's counts and last uses writes it.
 */
export const firstUseFlushMigration = `
  CREATE TABLE deleted_keys (
    id text PRIMARY KEY,
    deleted_at timestamptz NOT NULL
  );
  CREATE INDEX deleted_keys_by_time ON deleted_keys (deleted_at);
  CREATE OR REPLACE FUNCTION keyward_delete_key_usage() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    DELETE FROM key_usage WHERE key_id = OLD.id;
    DELETE FROM key_last_uses WHERE key_id = OLD.id;
    INSERT INTO deleted_keys (id, deleted_at) VALUES (OLD.id, now()) ON CONFLICT (id) DO UPDATE SET deleted_at = EXCLUDED.deleted_at;
    RETURN NULL;
  END
  $$;
`;
