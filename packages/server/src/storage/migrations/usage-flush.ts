/**
 * SPEC §16 flat costs at 100k keys: what the usage flush writes for keys verified for the first time.
 *
 * - `key_usage` loses its foreign key. The check ran once per new (key, hour, code) row and locked
 *   the key's row (`FOR KEY SHARE`, a write to that row) for each: the largest share of a flush of
 *   first uses. The flush inserts only counts of keys that exist, and a trigger deletes a key's counts
 *   with it, as the cascade did. (On PostgreSQL a count inserted by one instance while another
 *   deletes that key in the same instant can outlive it; nothing reads counts but by existing key.)
 * - Count rows are updated in place every flush: room is left on each page so those updates stay HOT.
 * - The secrets whose first use starts a grace are few: an index of only those makes the flush's
 *   check cost a probe per verified secret, not a scan.
 */
export const usageFlushMigration = `
  ALTER TABLE key_usage DROP CONSTRAINT key_usage_key_id_fkey;
  CREATE FUNCTION keyward_delete_key_usage() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    DELETE FROM key_usage WHERE key_id = OLD.id;
    RETURN NULL;
  END
  $$;
  CREATE TRIGGER api_keys_delete_usage AFTER DELETE ON api_keys FOR EACH ROW EXECUTE FUNCTION keyward_delete_key_usage();
  ALTER TABLE key_usage SET (fillfactor = 70);
  CREATE INDEX key_secrets_awaiting_first_use ON key_secrets (key_id, version) WHERE grace_after_first_use_ms IS NOT NULL;
`;
