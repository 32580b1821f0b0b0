import { ErrorBody, type ErrorCode, httpStatusOf, type ValidationIssue } from "@keyward/contract";

/** Failures that happen on this side of the wire, before or instead of a server answer. */
export type TransportErrorCode = "CONNECTION_FAILED" | "TIMEOUT" | "INVALID_RESPONSE";

export interface KeywardErrorInit {
  readonly code: ErrorCode | TransportErrorCode;
  readonly message: string;
  readonly status?: number;
  readonly requestId?: string;
  readonly details?: unknown;
  /** From a `Retry-After` header: how long the server asked us to wait. */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/**
 * The one error type the client throws. It carries what the server said (code, message, request id,
 * details) and never the request: no body, no headers, so neither a secret nor the management token
 * can travel inside it into a log.
 */
export class KeywardError extends Error {
  readonly code: ErrorCode | TransportErrorCode;
  /** HTTP status, or undefined when no answer arrived. */
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly details: unknown;
  readonly retryAfterMs: number | undefined;

  constructor(init: KeywardErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.details = init.details;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** The validation issues of a 400, each naming the field and the rule it broke. */
  get issues(): ValidationIssue[] {
    return Array.isArray(this.details) ? (this.details as ValidationIssue[]) : [];
  }
}

export class BadRequestError extends KeywardError {}
export class UnauthorizedError extends KeywardError {}
export class ForbiddenError extends KeywardError {}
export class NotFoundError extends KeywardError {}
export class ConflictError extends KeywardError {}
export class PayloadTooLargeError extends KeywardError {}
export class UnsupportedMediaTypeError extends KeywardError {}
export class RateLimitedError extends KeywardError {}
export class InternalError extends KeywardError {}
export class UnavailableError extends KeywardError {}
/** The server could not be reached, or the connection broke before an answer arrived. */
export class ConnectionError extends KeywardError {}
/** No complete answer within `timeoutMs`. */
export class TimeoutError extends KeywardError {}
/** The server answered something the contract does not allow (a proxy page, a version mismatch). */
export class InvalidResponseError extends KeywardError {}

type ServerErrorClass = new (init: KeywardErrorInit) => KeywardError;

/** Exhaustive: adding an error code to the contract fails compilation here until it has a class. */
export const errorClassOf: Readonly<Record<ErrorCode, ServerErrorClass>> = {
  BAD_REQUEST: BadRequestError,
  UNAUTHORIZED: UnauthorizedError,
  FORBIDDEN: ForbiddenError,
  NOT_FOUND: NotFoundError,
  CONFLICT: ConflictError,
  PAYLOAD_TOO_LARGE: PayloadTooLargeError,
  UNSUPPORTED_MEDIA_TYPE: UnsupportedMediaTypeError,
  RATE_LIMITED: RateLimitedError,
  INTERNAL: InternalError,
  UNAVAILABLE: UnavailableError,
};

/** The code a bare status stands for, when the body is not ours (a proxy's 502 page, say). */
function codeOfStatus(status: number): ErrorCode {
  const exact = (Object.keys(httpStatusOf) as ErrorCode[]).find((code) => httpStatusOf[code] === status);
  if (exact) return exact;
  if (status >= 500) return status === 502 || status === 504 ? "UNAVAILABLE" : "INTERNAL";
  return "BAD_REQUEST";
}

export interface ErrorResponse {
  readonly status: number;
  /** The raw body text, parsed here. */
  readonly body: string;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
}

/** Builds the typed error for a non-2xx answer. */
export function errorFromResponse(response: ErrorResponse): KeywardError {
  const parsed = ErrorBody.safeParse(parseJson(response.body));
  if (parsed.success) {
    const { code, message, request_id: requestId, details } = parsed.data.error;
    const ErrorClass = errorClassOf[code];
    return new ErrorClass({ code, message, status: response.status, requestId, details, retryAfterMs: response.retryAfterMs });
  }
  const code = codeOfStatus(response.status);
  const ErrorClass = errorClassOf[code];
  return new ErrorClass({
    code,
    // Not a Keyward error body, so not echoed: it could be anything a proxy put there.
    message: `the server answered HTTP ${response.status} without a Keyward error body`,
    status: response.status,
    requestId: response.requestId,
    retryAfterMs: response.retryAfterMs,
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
