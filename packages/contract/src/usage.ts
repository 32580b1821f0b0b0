import { z } from "zod";
import { IpAddress } from "./common";
import { KeyId, Timestamp } from "./names";
import { VerificationCode } from "./verify";

export const UsageQuery = z.strictObject({
  since: Timestamp.optional(),
  granularity: z.enum(["hour", "day"], { error: "must be 'hour' or 'day'" }).default("day"),
});
export type UsageQuery = z.infer<typeof UsageQuery>;

export const UsageBucket = z.object({
  start: Timestamp,
  counts: z.partialRecord(VerificationCode, z.number().int().min(0)),
});

export const KeyUsage = z.object({
  key_id: KeyId,
  granularity: z.enum(["hour", "day"]),
  buckets: z.array(UsageBucket),
  last_used_at: Timestamp.nullable(),
  last_used_ip: IpAddress.nullable(),
});
export type KeyUsage = z.infer<typeof KeyUsage>;
