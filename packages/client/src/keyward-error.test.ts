import { type ErrorCode, errorCodes, httpStatusOf } from "@keyward/contract";
import { describe, expect, it } from "vitest";
import {
  BadRequestError,
  ConflictError,
  errorClassOf,
  errorFromResponse,
  ForbiddenError,
  InternalError,
  KeywardError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedMediaTypeError,
} from "./keyward-error";

// Pinned: changing which class a code maps to is a breaking change for every `instanceof` check.
const expected: Record<ErrorCode, typeof KeywardError> = {
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

describe("errorFromResponse", () => {
  it.each(errorCodes)("maps %s to its own subclass of KeywardError", (code) => {
    const status = httpStatusOf[code];
    const body = JSON.stringify({ error: { code, message: `a ${code} happened`, request_id: "req_7", details: [{ field: "body.name", message: "m" }] } });
    const error = errorFromResponse({ status, body, requestId: "req_header", retryAfterMs: 1_000 });
    expect(error).toBeInstanceOf(expected[code]);
    expect(error).toBeInstanceOf(KeywardError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(expected[code].name);
    expect(error).toMatchObject({ code, status, message: `a ${code} happened`, requestId: "req_7", retryAfterMs: 1_000 });
    expect(error.issues).toEqual([{ field: "body.name", message: "m" }]);
  });

  it("gives every code a distinct class", () => {
    expect(new Set(Object.values(errorClassOf)).size).toBe(errorCodes.length);
  });

  it.each([
    [502, UnavailableError, "UNAVAILABLE"],
    [504, UnavailableError, "UNAVAILABLE"],
    [503, UnavailableError, "UNAVAILABLE"],
    [500, InternalError, "INTERNAL"],
    [404, NotFoundError, "NOT_FOUND"],
    [405, BadRequestError, "BAD_REQUEST"],
  ] as const)("classifies a foreign HTTP %i body by its status without echoing it", (status, ErrorClass, code) => {
    const error = errorFromResponse({ status, body: "<html>upstream said kw_live_secret</html>", requestId: "req_proxy", retryAfterMs: undefined });
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.code).toBe(code);
    expect(error.requestId).toBe("req_proxy");
    expect(error.message).toBe(`the server answered HTTP ${status} without a Keyward error body`);
  });
});
