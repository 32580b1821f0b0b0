import { z } from "zod";

/** The closed set of error codes (SPEC §3). Each maps to exactly one HTTP status. */
export const errorCodes = [
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "RATE_LIMITED",
  "INTERNAL",
  "UNAVAILABLE",
] as const;

export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const httpStatusOf: Readonly<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

/** One failed rule: where (`body.scopes[0]`) and what was expected. */
export const ValidationIssue = z.object({
  field: z.string(),
  message: z.string(),
});
export type ValidationIssue = z.infer<typeof ValidationIssue>;

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode.describe("One code of a closed set; each maps to one HTTP status."),
    message: z.string().describe("What went wrong and the expected form, naming the field; never echoes a sent value."),
    request_id: z.string().describe("The request's id, as in the server log and the `x-request-id` header."),
    details: z.unknown().optional().describe("For BAD_REQUEST: a list of `{field, message}`, one per broken rule."),
  }).describe("The error."),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
