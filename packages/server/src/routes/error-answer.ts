import type { ErrorCode, ValidationIssue } from "@keyward/contract";
import { ApiError } from "../domain/api-error";
import { DatabaseUnavailableError, UniqueViolationError, UnstorableValueError } from "../storage/database-error";

/** What an error becomes on the wire: one code of the closed set, a message that echoes no input. */
export interface ErrorAnswer {
  code: ErrorCode;
  message: string;
  details?: readonly ValidationIssue[];
  /** Seconds, for a `Retry-After` header. */
  retryAfter?: number;
  /** True for a failure of the server itself, which is logged (the caller sees only the request id). */
  internal?: boolean;
}

export const INTERNAL_MESSAGE = "the server failed to handle this request; it has been logged with this request id";

/**
 * The one mapping from a failure to an answer, for the framework's routes and for the verify fast
 * path alike. Framework errors (a malformed body, an oversized one…) are mapped here too, by
 * status, with messages of our own: theirs may quote the body or the URL.
 */
export function errorAnswerOf(error: unknown, bodyLimitBytes: number): ErrorAnswer {
  if (error instanceof ApiError) {
    const retryAfter = (error as { retryAfter?: unknown }).retryAfter;
    return { code: error.code, message: error.message, details: error.details, ...(typeof retryAfter === "number" ? { retryAfter } : {}) };
  }
  if (error instanceof DatabaseUnavailableError) {
    return { code: "UNAVAILABLE", message: "the database cannot be reached; retry after the time in Retry-After", retryAfter: error.retryAfterSeconds };
  }
  if (error instanceof UniqueViolationError) return { code: "CONFLICT", message: "a concurrent request changed the same object; read it again and retry" };
  if (error instanceof UnstorableValueError) return { code: "BAD_REQUEST", message: "body: holds a value outside what can be stored (a date, a number or text)" };
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) return frameworkAnswerOf(status, bodyLimitBytes);
  return { code: "INTERNAL", message: INTERNAL_MESSAGE, internal: true };
}

function frameworkAnswerOf(status: number, bodyLimitBytes: number): ErrorAnswer {
  if (status === 413) return { code: "PAYLOAD_TOO_LARGE", message: `body: must be at most ${bodyLimitBytes} bytes` };
  if (status === 415) return { code: "UNSUPPORTED_MEDIA_TYPE", message: "body: send JSON with Content-Type: application/json" };
  return { code: "BAD_REQUEST", message: "body: must be a well-formed JSON object" };
}
