import type { ErrorCode, ValidationIssue } from "@keyward/contract";

/**
 * A failure the caller can act on, with one code of the closed set (SPEC §3). Expected outcomes
 * (a key that is revoked, expired…) are answers, not errors; see `verify-key.ts`.
 */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: readonly ValidationIssue[],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function badRequest(field: string, message: string): ApiError {
  return new ApiError("BAD_REQUEST", `${field}: ${message}`, [{ field, message }]);
}

export function notFound(what: string): ApiError {
  return new ApiError("NOT_FOUND", `${what} was not found`);
}

export function conflict(message: string): ApiError {
  return new ApiError("CONFLICT", message);
}

export function forbidden(message: string): ApiError {
  return new ApiError("FORBIDDEN", message);
}

export function unauthorized(message: string): ApiError {
  return new ApiError("UNAUTHORIZED", message);
}
