import type { Change } from "./terraform-plan";

/**
 * One attribute as the plan knows it. `sensitive` means the plan marks it (or anything inside it)
 * sensitive: its value is never read. `unknown` means it is known only after apply.
 */
export type Reading<T> = { state: "known"; value: T } | { state: "unknown" } | { state: "sensitive" };

/** A list of strings of which some elements may be known only after apply (a scope set that names a scope the same apply creates). */
export interface StringList {
  known: string[];
  unknownCount: number;
}

type Masks = { sensitive: unknown; unknown: unknown };

/**
 * The object on one side of a change (`before` or `after`), read one named attribute at a time.
 * Terraform's JSON output holds sensitive values in plain text next to a mask that marks them
 * (`before_sensitive`/`after_sensitive`); every read checks the mask first, so a sensitive value
 * never leaves the plan.
 */
export class PlannedObject {
  private constructor(
    private readonly values: Record<string, unknown> | null,
    private readonly masks: Masks,
  ) {}

  static before(change: Change): PlannedObject {
    return new PlannedObject(asRecord(change.before), { sensitive: change.before_sensitive, unknown: undefined });
  }

  static after(change: Change): PlannedObject {
    return new PlannedObject(asRecord(change.after), { sensitive: change.after_sensitive, unknown: change.after_unknown });
  }

  /** False for the `before` of a create and the `after` of a delete. */
  get exists(): boolean {
    return this.values !== null;
  }

  string(name: string): Reading<string | null> {
    return this.read(name, (value) => (typeof value === "string" ? value : null));
  }

  stringList(name: string): Reading<StringList | null> {
    const unknownMask = member(this.masks.unknown, name);
    return this.read(name, (value) => {
      if (!Array.isArray(value)) return null;
      const unknownCount = Array.isArray(unknownMask) ? unknownMask.filter((flag) => flag === true).length : 0;
      return { known: value.filter((item): item is string => typeof item === "string"), unknownCount };
    });
  }

  stringMap(name: string): Reading<Record<string, string> | null> {
    return this.read(name, (value) => {
      const record = asRecord(value);
      if (record === null) return null;
      return Object.fromEntries(Object.entries(record).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
    });
  }

  /** A list of objects, such as repeated blocks; the elements' values are read only if no part of the list is sensitive. */
  objectList(name: string): Reading<Record<string, unknown>[] | null> {
    return this.read(name, (value) => (Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => asRecord(item) !== null) : null));
  }

  /** A number's value, or null when it is absent, sensitive or unknown. */
  number(name: string): number | null {
    const reading = this.read(name, (value) => (typeof value === "number" ? value : null));
    return reading.state === "known" ? reading.value : null;
  }

  object(name: string): Reading<PlannedObject | null> {
    return this.read(name, (value) => {
      const record = asRecord(value);
      if (record === null) return null;
      return new PlannedObject(record, { sensitive: member(this.masks.sensitive, name), unknown: member(this.masks.unknown, name) });
    });
  }

  private read<T>(name: string, convert: (value: unknown) => T): Reading<T> {
    if (containsTrue(member(this.masks.sensitive, name))) return { state: "sensitive" };
    if (member(this.masks.unknown, name) === true) return { state: "unknown" };
    return { state: "known", value: convert(this.values?.[name]) };
  }
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function member(mask: unknown, name: string): unknown {
  return asRecord(mask)?.[name];
}

/** A mask is `true` for a sensitive value, or an object/array of masks for its parts. */
function containsTrue(mask: unknown): boolean {
  if (mask === true) return true;
  if (Array.isArray(mask)) return mask.some(containsTrue);
  const record = asRecord(mask);
  return record !== null && Object.values(record).some(containsTrue);
}

/** How a reading is shown to a reviewer; `absent` is the text for a known null. */
export function readingText<T>(reading: Reading<T | null>, absent: string, show: (value: T) => string = String): string {
  if (reading.state === "unknown") return "(known after apply)";
  if (reading.state === "sensitive") return "(sensitive)";
  return reading.value === null ? absent : show(reading.value);
}
