import { z } from "zod";
import { IpAddress } from "./common";
import { KeyId, Timestamp } from "./names";
import { VerificationCode } from "./verify";

export const UsageQuery = z.strictObject({
  since: Timestamp.optional().describe("Counts from this time on; absent for the last 48 hours (`hour`) or 30 days (`day`)."),
  granularity: z.enum(["hour", "day"], { error: "must be 'hour' or 'day'" }).default("day").describe("Bucket size: `hour` or `day`."),
});
export type UsageQuery = z.infer<typeof UsageQuery>;

export const UsageBucket = z.object({
  start: Timestamp.describe("When the bucket starts."),
  counts: z.partialRecord(VerificationCode, z.number().int().min(0)).describe("Verifications in the bucket by outcome code; a code with none is absent.").meta({ examples: [{ VALID: 1280, RATE_LIMITED: 3 }] }),
});

export const KeyUsage = z.object({
  key_id: KeyId.describe("The key's id."),
  granularity: z.enum(["hour", "day"]).describe("Bucket size."),
  buckets: z.array(UsageBucket).describe("Buckets oldest first; a bucket with no verification is absent."),
  last_used_at: Timestamp.nullable().describe("When a secret of the key last verified successfully; null if never. Kept to the minute: a use within a minute after the recorded one is not written."),
  last_used_ip: IpAddress.nullable().describe("The address that verification came from; null if never used or unknown."),
});
export type KeyUsage = z.infer<typeof KeyUsage>;
