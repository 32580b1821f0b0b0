/** Something that runs SQL: the database itself or one open transaction. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs several statements without parameters (a migration). */
  script(sql: string): Promise<void>;
}

/**
 * The one boundary between Keyward and a PostgreSQL engine. Two backends implement it: the embedded
 * PGlite (default) and a real PostgreSQL server. Both speak the same SQL; see `migrations.ts`.
 */
export interface Database extends Queryable {
  readonly backend: "pglite" | "postgres";
  /** Runs `work` in one transaction: everything it wrote is committed together or not at all. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Calls `onMessage` for each NOTIFY on `channel`, from this or any other process on the same
   * database. `onReset` is called when delivery may have had a gap (a lost connection), so a
   * listener can drop whatever it cached.
   */
  listen(channel: string, onMessage: (payload: string) => void, onReset: () => void): Promise<() => Promise<void>>;
  /** True while notifications from other processes are known to arrive. */
  readonly notificationsLive: boolean;
  close(): Promise<void>;
}

/** Row values both drivers may hand back for an int8 column. */
export function toNumber(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

/** Row values both drivers may hand back for a timestamptz column. */
export function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}
