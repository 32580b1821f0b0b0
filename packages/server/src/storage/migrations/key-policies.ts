/**
 * SPEC §18: each secret's own last use (so a team sees who still uses the previous secret after a
 * rotation) and, for a rotation whose grace starts at first use, the grace period that the new
 * secret's first successful verification starts (null once started, or for an immediate grace),
 * and when a replaced secret's grace started (at the rotation, or at the new secret's first use).
 */
export const keyPoliciesMigration = `
  ALTER TABLE key_secrets ADD COLUMN last_used_at timestamptz;
  ALTER TABLE key_secrets ADD COLUMN last_used_ip text;
  ALTER TABLE key_secrets ADD COLUMN grace_after_first_use_ms bigint;
  ALTER TABLE key_secrets ADD COLUMN grace_started_at timestamptz;
`;
