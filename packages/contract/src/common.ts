import { z } from "zod";
import { Duration, parseDuration } from "./duration";

/** Every list answers `{data, next_cursor}` (SPEC §3). */
export function page<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() });
}

export const PageQuery = {
  limit: z.coerce
    .number({ error: "must be a whole number from 1 to 100" })
    .int({ error: "must be a whole number from 1 to 100" })
    .min(1, { error: "must be a whole number from 1 to 100" })
    .max(100, { error: "must be a whole number from 1 to 100" })
    .default(20),
  cursor: z.string().max(512).optional(),
};

export const Metadata = z
  .record(
    z.string().min(1, { error: "metadata keys must not be empty" }).max(64, { error: "metadata keys are at most 64 characters" }),
    z.string().max(512, { error: "metadata values are at most 512 characters" }),
  )
  .refine((entries) => Object.keys(entries).length <= 32, { error: "must have at most 32 entries" });

export const Cidr = z.union([z.cidrv4(), z.cidrv6()], {
  error: "must be a CIDR block such as 10.0.0.0/8 or 2001:db8::/32",
});
export const IpAddress = z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" });

export const Rotation = z
  .strictObject({ every: Duration, grace_period: Duration })
  .refine((rotation) => (parseDuration(rotation.grace_period) ?? 0) <= (parseDuration(rotation.every) ?? Infinity), {
    error: "grace_period must not be longer than every",
    path: ["grace_period"],
  });
export type Rotation = z.infer<typeof Rotation>;

export const RateLimit = z.strictObject({
  requests: z
    .number({ error: "must be a whole number of requests from 1 to 1000000" })
    .int({ error: "must be a whole number of requests from 1 to 1000000" })
    .min(1, { error: "must be a whole number of requests from 1 to 1000000" })
    .max(1_000_000, { error: "must be a whole number of requests from 1 to 1000000" }),
  window: Duration,
});
export type RateLimit = z.infer<typeof RateLimit>;

/** Query-string booleans arrive as text. */
export const QueryBoolean = z.enum(["true", "false"], { error: "must be 'true' or 'false'" }).transform((text) => text === "true");
