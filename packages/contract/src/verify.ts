import { z } from "zod";
import { IpAddress } from "./common";
import { Environment, KeyId, KeyName, ProjectName, SCOPE_NAME_PATTERN, ScopeName, Timestamp } from "./names";
import { KEY_SECRET_PATTERN } from "./secret-format";

export const verificationCodes = [
  "VALID",
  "NOT_FOUND",
  "EXPIRED",
  "REVOKED",
  "INSUFFICIENT_SCOPE",
  "RATE_LIMITED",
  "IP_NOT_ALLOWED",
] as const;
export const VerificationCode = z.enum(verificationCodes).meta({ description: "The outcome of a verification: `VALID`, or why not.", examples: ["VALID"] });
export type VerificationCode = z.infer<typeof VerificationCode>;

const MAX_VERIFY_SCOPES = 256;

export const VerifyRequest = z.strictObject({
  // Any string up to 256 characters is well-formed: a malformed key is an answer (NOT_FOUND), not an error.
  key: z.string().max(256, { error: "must be at most 256 characters" }).describe("The API key secret to check, as the caller presented it."),
  scopes: z.array(ScopeName).max(MAX_VERIFY_SCOPES, { error: "must hold at most 256 scopes" }).optional().describe("Scopes the key must all hold; otherwise INSUFFICIENT_SCOPE."),
  ip: IpAddress.optional().describe("The address the key was presented from, checked against its allowlist."),
}).meta({ examples: [{ key: "kw_live_3f9Kq2ZrT8mVx1Lp6Wn0Yb4Hc7Ds5Ga9Ue2Jk8Rt1Qx7Qa", scopes: ["invoices:read"], ip: "203.0.113.7" }] });
export type VerifyRequest = z.infer<typeof VerifyRequest>;

/**
 * True for the common request (a key shaped like a secret, valid scope names, an address), which
 * `VerifyRequest` certainly accepts: such text is storable by construction. A hot path may skip the
 * schema walk for it; anything else goes through `checkInput(VerifyRequest, …)`, which alone
 * decides and words what is wrong. `check` holds the fields beside `key`.
 */
export function isPlainVerifyRequest(key: unknown, check: object): boolean {
  return typeof key === "string" && KEY_SECRET_PATTERN.test(key) && isPlainVerifyCheck(check);
}

/** `isPlainVerifyRequest` for the fields beside a key already known to be shaped like a secret. */
export function isPlainVerifyCheck(check: object): boolean {
  const { scopes, ip } = check as { scopes?: unknown; ip?: unknown };
  for (const field in check) {
    if (field !== "scopes" && field !== "ip") return false;
  }
  if (scopes !== undefined) {
    if (!Array.isArray(scopes) || scopes.length > MAX_VERIFY_SCOPES) return false;
    for (const scope of scopes) {
      if (typeof scope !== "string" || !SCOPE_NAME_PATTERN.test(scope)) return false;
    }
  }
  return ip === undefined || (typeof ip === "string" && IpAddress.safeParse(ip).success);
}

export const VerifyResponse = z.object({
  valid: z.boolean().describe("True only for code `VALID`."),
  code: VerificationCode.describe("`VALID`, or why the key does not verify."),
  key: z
    .object({
      id: KeyId.describe("The key's id."),
      name: KeyName.describe("The key's name."),
      project: ProjectName.describe("The key's project."),
      environment: Environment.describe("The key's environment."),
      scopes: z.array(ScopeName).describe("Every scope the key holds."),
      metadata: z.record(z.string(), z.string()).describe("The key's labels."),
      expires_at: Timestamp.nullable().describe("When the key expires; null for never."),
    })
    .optional()
    .describe("The key the secret belongs to; absent for NOT_FOUND."),
  ratelimit: z
    .object({
      limit: z.number().int().describe("Verifications allowed per window."),
      remaining: z.number().int().describe("Verifications left in the current window."),
      reset: z.number().int().describe("When the window resets, in Unix milliseconds."),
    })
    .optional()
    .describe("The key's rate limit state; absent when the key has none."),
});
export type VerifyResponse = z.infer<typeof VerifyResponse>;
