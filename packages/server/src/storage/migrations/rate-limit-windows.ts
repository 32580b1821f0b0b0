/**
 * Cluster-wide rate limits (SPEC §16): the count of each key's window, shared by every instance on
 * one PostgreSQL. Windows are epoch milliseconds (the start of a fixed window); no foreign key, so
 * counting never waits on a key row's lock, and old windows are deleted by the hourly sweep.
 */
export const rateLimitWindowsMigration = `
  CREATE TABLE rate_limit_windows (
    key_id text NOT NULL,
    window_start bigint NOT NULL,
    used bigint NOT NULL,
    PRIMARY KEY (key_id, window_start)
  );
  CREATE INDEX rate_limit_windows_by_start ON rate_limit_windows (window_start);
`;
