import { z } from "zod";

/**
 * Durations are strings (SPEC §2): `90s`, `15m`, `24h`, `30d`, and Go-style compounds such as
 * `720h` or `1h30m`. The one parser every package uses.
 */
const unitMilliseconds = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const durationPattern = /^(?:\d+[smhd])+$/;
const durationPart = /(\d+)([smhd])/g;

export const DURATION_EXPECTED = "a duration such as 90s, 15m, 24h, 30d or 1h30m";

/** Milliseconds in `text`, or `undefined` when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!durationPattern.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(durationPart)) {
    total += Number(amount) * unitMilliseconds[unit as keyof typeof unitMilliseconds];
  }
  return total > 0 && Number.isSafeInteger(total) ? total : undefined;
}

/** The shortest canonical spelling of a positive number of milliseconds, e.g. `30d`, `90m`. */
export function formatDuration(milliseconds: number): string {
  for (const unit of ["d", "h", "m", "s"] as const) {
    const size = unitMilliseconds[unit];
    if (milliseconds % size === 0) return `${milliseconds / size}${unit}`;
  }
  return `${Math.ceil(milliseconds / 1_000)}s`;
}

export const Duration = z
  .string()
  .refine((text) => parseDuration(text) !== undefined, { error: `must be ${DURATION_EXPECTED}` })
  .meta({ description: `A duration: ${DURATION_EXPECTED}.`, examples: ["30d"] });
