import { z } from "zod";
import { Duration, parseDuration } from "./duration";

/** Every list answers `{data, next_cursor}` (SPEC §3). */
export function page<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item).describe("This page's items, at most `limit`."),
    next_cursor: z.string().nullable().describe("Pass as `cursor` to get the next page; null on the last page."),
  });
}

export const PageQuery = {
  limit: z.coerce
    .number({ error: "must be a whole number from 1 to 100" })
    .int({ error: "must be a whole number from 1 to 100" })
    .min(1, { error: "must be a whole number from 1 to 100" })
    .max(100, { error: "must be a whole number from 1 to 100" })
    .default(20)
    .describe("Items per page, 1 to 100.")
    .meta({ examples: [20] }),
  cursor: z.string().max(512).optional().describe("The `next_cursor` of the previous page; absent for the first page."),
};

export const Metadata = z
  .record(
    z.string().min(1, { error: "metadata keys must not be empty" }).max(64, { error: "metadata keys are at most 64 characters" }),
    z.string().max(512, { error: "metadata values are at most 512 characters" }),
  )
  .refine((entries) => Object.keys(entries).length <= 32, { error: "must have at most 32 entries" })
  .meta({ description: "Free-form labels: at most 32 entries, keys 1-64 characters, values at most 512. Never put a secret here: it is shown by every read.", examples: [{ team: "payments", ticket: "OPS-1234" }] });

export const Cidr = z.union([z.cidrv4(), z.cidrv6()], {
  error: "must be a CIDR block such as 10.0.0.0/8 or 2001:db8::/32",
}).meta({ description: "An IPv4 or IPv6 CIDR block.", examples: ["10.0.0.0/8"] });
export const IpAddress = z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" }).meta({ description: "An IPv4 or IPv6 address.", examples: ["203.0.113.7"] });

/** SPEC §18: when a rotation's grace period starts. */
export const GraceStart = z.enum(["immediately", "on_first_use"], { error: "must be 'immediately' or 'on_first_use'" });
export type GraceStart = z.infer<typeof GraceStart>;

export const Rotation = z
  .strictObject({
    every: Duration.describe("How often the key is due for rotation, counted from its last rotation (or creation)."),
    grace_period: Duration.describe("How long the previous secret keeps verifying after a rotation; at most `every`."),
    grace_starts: GraceStart.nullish()
      .describe("`immediately` (default): the grace period starts at the rotation; `on_first_use`: at the new secret's first successful verification, never later than the policy's `max_grace_period` (default 7d) after the rotation."),
  })
  .refine((rotation) => (parseDuration(rotation.grace_period) ?? 0) <= (parseDuration(rotation.every) ?? Infinity), {
    error: "grace_period must not be longer than every",
    path: ["grace_period"],
  })
  .meta({ description: "A rotation schedule.", examples: [{ every: "30d", grace_period: "24h" }] });
export type Rotation = z.infer<typeof Rotation>;

export const RateLimit = z.strictObject({
  requests: z
    .number({ error: "must be a whole number of requests from 1 to 1000000" })
    .int({ error: "must be a whole number of requests from 1 to 1000000" })
    .min(1, { error: "must be a whole number of requests from 1 to 1000000" })
    .max(1_000_000, { error: "must be a whole number of requests from 1 to 1000000" })
    .describe("Verifications allowed per window, 1 to 1000000."),
  window: Duration.describe("The window the count is kept over."),
}).meta({ description: "A per-key limit on successful verifications, held across every server instance.", examples: [{ requests: 100, window: "1m" }] });
export type RateLimit = z.infer<typeof RateLimit>;

/** Query-string booleans arrive as text. */
export const QueryBoolean = z.enum(["true", "false"], { error: "must be 'true' or 'false'" }).transform((text) => text === "true");
