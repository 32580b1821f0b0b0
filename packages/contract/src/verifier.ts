import { z } from "zod";
import { Cidr, IpAddress, RateLimit } from "./common";
import { Environment, KeyId, KeyName, ProjectName, ScopeName, Timestamp } from "./names";
import { VerificationCode } from "./verify";

/**
 * The in-process verifier's wire format (SPEC §16): a snapshot of what `POST /v1/verify` would
 * judge by, with every secret known only by its verifier digest, then a stream of changes.
 */

const VERIFIER_DIGEST_PATTERN = /^[0-9a-f]{64}$/;

export const VerifierDigest = z
  .string()
  .regex(VERIFIER_DIGEST_PATTERN, { error: "must be 64 lowercase hexadecimal digits" })
  .meta({ description: "HMAC-SHA256 of a secret under the project's verifier key, in hex.", examples: ["5d1c0b7a2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8d9c"] });

/** A cursor: which instance produced it, and how far along its change feed. */
export const VerifierCursor = z
  .string()
  .regex(/^[0-9A-Za-z]{1,32}\.[0-9]{1,16}$/, { error: "must be a cursor from a verifier snapshot or event" })
  .meta({ description: "Where in the server's change feed a snapshot or event stands; pass it as `since` to resume.", examples: ["h3k9q2.1042"] });

export const VerifierScopeQuery = z.strictObject({
  project: ProjectName.describe("The project whose keys the verifier checks."),
  environment: Environment.optional().describe("Only this environment's keys; absent for both (within the token's binding)."),
});
export type VerifierScopeQuery = z.infer<typeof VerifierScopeQuery>;

export const VerifierEventsQuery = VerifierScopeQuery.extend({
  since: VerifierCursor.optional().describe("Resume after this cursor; absent, expired or from another instance, the stream starts with a `resync` event holding a whole snapshot."),
});
export type VerifierEventsQuery = z.infer<typeof VerifierEventsQuery>;

export const VerifierSecret = z.object({
  version: z.number().int().min(1).describe("The secret's version (1 at creation, one more per rotation): usage reports name it, so a secret's last use and a grace that starts at first use are recorded (SPEC §18)."),
  verifier_digest: VerifierDigest.describe("HMAC-SHA256 of the secret under the verifier key."),
  expires_at: Timestamp.nullable().describe("When this secret stops verifying (the end of a grace period); null for never."),
  revoked_at: Timestamp.nullable().describe("When this secret was revoked; null if it was not."),
});
export type VerifierSecret = z.infer<typeof VerifierSecret>;

export const VerifierKey = z.object({
  id: KeyId.describe("The key's id."),
  name: KeyName.describe("The key's name."),
  project: ProjectName.describe("The key's project."),
  environment: Environment.describe("The key's environment."),
  scopes: z.array(ScopeName).describe("Every scope the key holds."),
  metadata: z.record(z.string(), z.string()).describe("The key's labels."),
  expires_at: Timestamp.nullable().describe("When the key expires; null for never."),
  revoked_at: Timestamp.nullable().describe("When the key was revoked; null if it was not."),
  ip_allowlist: z.array(Cidr).nullable().describe("CIDR blocks the key verifies from; null for anywhere."),
  rate_limit: RateLimit.nullable().describe("Verifications allowed per window; null for no limit."),
  secrets: z.array(VerifierSecret).describe("Every stored secret of the key that has a verifier digest: the current one, one in its grace period, and older ones that verify as EXPIRED or REVOKED."),
  undigested_secrets: z
    .number()
    .int()
    .min(0)
    .describe("The key's stored secrets issued before verifier digests existed, absent from `secrets`: while a verifier holds any, a secret it does not know must be asked of the server."),
});
export type VerifierKey = z.infer<typeof VerifierKey>;

export const VerifierSnapshot = z
  .object({
    cursor: VerifierCursor.describe("Pass as `since` to the change stream: it replays every change after this snapshot."),
    project: ProjectName.describe("The project the snapshot covers."),
    environment: Environment.nullable().describe("The environment it covers; null for both."),
    verifier_key: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/)
      .describe("The project's 32-byte verifier key (base64url): HMAC-SHA256 under it turns a presented secret into the digest to look up. It cannot compute storage digests or another project's verifier digests."),
    keys: z.array(VerifierKey).describe("Every key of the project (and environment) inside the token's binding."),
    undigested_secrets: z
      .number()
      .int()
      .min(0)
      .describe("Stored secrets issued before verifier digests existed, over all keys (the sum of their `undigested_secrets`): while above 0, a secret the snapshot does not know must be asked of the server."),
  })
  .meta({
    examples: [
      {
        cursor: "h3k9q2.1042",
        project: "billing-api",
        environment: "live",
        verifier_key: "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c",
        keys: [],
        undigested_secrets: 0,
      },
    ],
  });
export type VerifierSnapshot = z.infer<typeof VerifierSnapshot>;

/** One event of `GET /v1/verifier/events` (the SSE `event:` name and its JSON `data:`). */
export type VerifierEvent =
  | { event: "heartbeat"; data: { cursor: string } }
  | { event: "upsert"; data: VerifierKey; cursor: string }
  | { event: "remove"; data: { id: string }; cursor: string }
  | { event: "resync"; data: VerifierSnapshot; cursor: string };

export const VerifierUsageReport = z.strictObject({
  key_id: KeyId.describe("The key verified."),
  version: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe("The version of the secret presented (from the snapshot), so that secret's last use is kept and a grace waiting for first use starts (SPEC §18); absent, only the key's usage is recorded."),
  counts: z
    .partialRecord(VerificationCode, z.number().int().min(1).max(1_000_000_000))
    .describe("Verifications since the last report, by outcome code.")
    .meta({ examples: [{ VALID: 1280, INSUFFICIENT_SCOPE: 3 }] }),
  last_at: Timestamp.describe("When the newest of these verifications happened."),
  last_ip: IpAddress.nullable().optional().describe("The address the newest verification came from, if known."),
  first_valid_at: Timestamp.nullable()
    .optional()
    .describe("When the first of these verifications that answered VALID happened (with `version`): a grace that waits for the new secret's first use starts then, not when the report arrives. Never before the secret was issued nor after `last_at`."),
});
export type VerifierUsageReport = z.infer<typeof VerifierUsageReport>;

export const VerifierUsageRequest = z
  .strictObject({
    reports: z.array(VerifierUsageReport).max(10_000, { error: "must hold at most 10000 reports" }).describe("Usage since the last report, one per key and secret version."),
  })
  .meta({
    examples: [
      {
        reports: [
          { key_id: "key_3Yq8ZpL2mN4vT7wX9bC1", version: 2, counts: { VALID: 1280, INSUFFICIENT_SCOPE: 3 }, last_at: "2026-06-01T12:00:00Z", last_ip: "203.0.113.7", first_valid_at: "2026-06-01T11:59:59.120Z" },
        ],
      },
    ],
  });
export type VerifierUsageRequest = z.infer<typeof VerifierUsageRequest>;

export const VerifierUsageResponse = z
  .object({
    accepted: z.number().int().min(0).describe("Reports applied; a report for a key outside the token's binding, or unknown, is dropped without saying which."),
  })
  .meta({ examples: [{ accepted: 1 }] });
export type VerifierUsageResponse = z.infer<typeof VerifierUsageResponse>;
