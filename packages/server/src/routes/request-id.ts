import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
// A random per-process prefix and a counter: unique, and no random bytes on every request.
// The constant part as one string: each new id is then a single concatenation.
const prefix = `req_${randomBytes(6).toString("base64url")}_`;
let counter = 0;

/** The caller's `x-request-id` when it is well-formed (it is echoed into logs and errors), else a new one. */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const offered = headers["x-request-id"];
  if (typeof offered === "string" && REQUEST_ID_PATTERN.test(offered)) return offered;
  counter += 1;
  return prefix + counter.toString(36);
}
