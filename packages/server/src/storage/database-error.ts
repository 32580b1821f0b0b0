/**
 * What a database failure means to the rest of the server, whichever engine raised it. Both
 * backends pass every driver error through `databaseErrorOf`, so routes and domain see three kinds
 * of failure, never a driver's own error (whose message may quote SQL or a bound value):
 * the database cannot be reached now (503), a unique rule was broken by a concurrent write (409),
 * or a value could not be stored (400). Anything else stays an internal error.
 */
export class DatabaseUnavailableError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super("the database cannot be reached");
    this.name = "DatabaseUnavailableError";
  }
}

/** A write lost a race on a unique index (SQLSTATE 23505); `constraint` names the index. */
export class UniqueViolationError extends Error {
  constructor(readonly constraint: string) {
    super(`a unique rule was broken: ${constraint}`);
    this.name = "UniqueViolationError";
  }
}

/**
 * A value the engine refused to store or compare (SQLSTATE class 22: out of range, bad encoding,
 * NUL in text). Input checks at the edge refuse these first and name the field; this is the net
 * under them, so a value they missed is still the caller's 400, not a 500.
 */
export class UnstorableValueError extends Error {
  constructor() {
    super("a value in the request cannot be stored");
    this.name = "UnstorableValueError";
  }
}

/** Node socket errors that mean "no connection to the server". */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNABORTED"]);

/** Messages of the `pg` driver's own connection failures, which carry no SQLSTATE. */
const DRIVER_CONNECTION_MESSAGES = [
  "Connection terminated",
  "connection error",
  "not queryable",
  "timeout exceeded when trying to connect",
  "Connection terminated due to connection timeout",
  "Client network socket disconnected",
  "Cannot use a pool after calling end",
  "PGlite is closed",
];

/**
 * True when `error` says the database is out of reach (rather than that a statement was wrong):
 * SQLSTATE class 08 (connection exception), 57P01-57P03 (terminated by an administrator, crash,
 * cannot connect now), class 53 (out of resources, e.g. too many connections), or a socket error.
 */
export function isConnectionFault(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code)) return true;
    if (isSqlState(error) && (/^(08|53)/.test(code) || /^57P0[1-3]$/.test(code))) return true;
  }
  return DRIVER_CONNECTION_MESSAGES.some((text) => error.message.includes(text));
}

/** The server-side meaning of a driver error; `retryAfterSeconds` for a connection fault. */
export function databaseErrorOf(error: unknown, retryAfterSeconds: number): unknown {
  if (error instanceof DatabaseUnavailableError || error instanceof UniqueViolationError || error instanceof UnstorableValueError || error instanceof DatabaseQueryError) {
    return error;
  }
  if (isConnectionFault(error)) return new DatabaseUnavailableError(retryAfterSeconds);
  if (!isSqlState(error)) return error;
  const fields = error as { code: string; constraint?: unknown; message?: unknown };
  const code = fields.code;
  if (code === "23505") return new UniqueViolationError(constraintOf(fields));
  // Serialisation failures and deadlocks (class 40) are transient: the client retries.
  if (code.startsWith("40")) return new DatabaseUnavailableError(1);
  if (code.startsWith("22")) return new UnstorableValueError();
  return new DatabaseQueryError(code, (error as { routine?: unknown }).routine);
}

/** An error the engine answered (both drivers set `severity` and a five-character SQLSTATE `code`). */
function isSqlState(error: unknown): boolean {
  const fields = error as { code?: unknown; severity?: unknown } | undefined;
  return typeof fields?.severity === "string" && typeof fields.code === "string" && /^[0-9A-Z]{5}$/.test(fields.code);
}

/**
 * Any other error the engine answered. It keeps the SQLSTATE and the engine's routine for the log
 * and drops the rest: the drivers' errors carry the statement and its bound parameters, and the
 * engine's message may quote a value (`invalid input syntax for type bigint: "…"`).
 */
export class DatabaseQueryError extends Error {
  constructor(
    readonly sqlState: string,
    routine: unknown,
  ) {
    super(`the database refused a statement: SQLSTATE ${sqlState}${typeof routine === "string" ? ` in ${routine}` : ""}`);
    this.name = "DatabaseQueryError";
  }
}

/** `pg` gives the index name; PGlite gives it only inside the message. */
function constraintOf(fields: { constraint?: unknown; message?: unknown } | undefined): string {
  if (typeof fields?.constraint === "string") return fields.constraint;
  const quoted = /constraint "([^"]+)"/.exec(String(fields?.message ?? ""));
  return quoted?.[1] ?? "unknown";
}
