import { z } from "zod";

/**
 * Durations are strings (SPEC §2): `90s`, `15m`, `24h`, `30d`, and Go-style compounds such as
 * `720h` or `1h30m`. The one parser every package uses.
 */
const unitMilliseconds = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const durationPattern = /^(?:\d+[smhd])+$/;
const durationPart = /(\d+)([smhd])/g;

export const DURATION_EXPECTED = "a duration such as 90s, 15m, 24h, 30d or 1h30m";

/** SPEC §11: the longest duration any field takes, so a rotation or expiry can never overflow a date. */
export const MAX_DURATION_MS = 3650 * unitMilliseconds.d;
export const MAX_DURATION_MESSAGE = "must be at most 10 years (3650d)";

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

/** True for a duration whose number is too big to be one, or that is longer than `MAX_DURATION_MS`. */
function isOverlong(text: string): boolean {
  if (!durationPattern.test(text)) return false;
  const milliseconds = parseDuration(text);
  return milliseconds === undefined ? /[1-9]/.test(text) : milliseconds > MAX_DURATION_MS;
}

export const Duration = z
  .string()
  .superRefine((text, context) => {
    if (isOverlong(text)) context.addIssue({ code: "custom", message: MAX_DURATION_MESSAGE });
    else if (parseDuration(text) === undefined) context.addIssue({ code: "custom", message: `must be ${DURATION_EXPECTED}` });
  })
  .meta({ description: `A duration: ${DURATION_EXPECTED}, at most 10 years.`, examples: ["30d"] });
