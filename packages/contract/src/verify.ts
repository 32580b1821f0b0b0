import { z } from "zod";
import { IpAddress } from "./common";
import { Environment, KeyId, KeyName, ProjectName, ScopeName, Timestamp } from "./names";

export const verificationCodes = [
  "VALID",
  "NOT_FOUND",
  "EXPIRED",
  "REVOKED",
  "INSUFFICIENT_SCOPE",
  "RATE_LIMITED",
  "IP_NOT_ALLOWED",
] as const;
export const VerificationCode = z.enum(verificationCodes);
export type VerificationCode = z.infer<typeof VerificationCode>;

export const VerifyRequest = z.strictObject({
  // Any string up to 256 characters is well-formed: a malformed key is an answer (NOT_FOUND), not an error.
  key: z.string().max(256, { error: "must be at most 256 characters" }),
  scopes: z.array(ScopeName).max(256, { error: "must hold at most 256 scopes" }).optional(),
  ip: IpAddress.optional(),
});
export type VerifyRequest = z.infer<typeof VerifyRequest>;

export const VerifyResponse = z.object({
  valid: z.boolean(),
  code: VerificationCode,
  key: z
    .object({
      id: KeyId,
      name: KeyName,
      project: ProjectName,
      environment: Environment,
      scopes: z.array(ScopeName),
      metadata: z.record(z.string(), z.string()),
      expires_at: Timestamp.nullable(),
    })
    .optional(),
  ratelimit: z
    .object({ limit: z.number().int(), remaining: z.number().int(), reset: z.number().int() })
    .optional(),
});
export type VerifyResponse = z.infer<typeof VerifyResponse>;
