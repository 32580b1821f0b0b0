/**
 * A Terraform value as the framework sees it: JSON-like data plus `UNKNOWN` (known only after
 * apply). Objects carry every attribute of their type; `null` is Terraform's null.
 */
export class Unknown {
  private constructor() {}
  static readonly instance = new Unknown();
  toJSON(): string {
    return "(known after apply)";
  }
}

export const UNKNOWN = Unknown.instance;

export type Value = null | string | number | boolean | Unknown | Value[] | ObjectValue;
export interface ObjectValue {
  [attribute: string]: Value;
}

export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

export function isObjectValue(value: Value | undefined): value is ObjectValue {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isUnknown(value);
}

/** True when no part of `value` is unknown. */
export function isWhollyKnown(value: Value): boolean {
  if (isUnknown(value)) return false;
  if (Array.isArray(value)) return value.every(isWhollyKnown);
  if (isObjectValue(value)) return Object.values(value).every(isWhollyKnown);
  return true;
}

/** Structural equality; sets compare as sets of their (known) elements. */
export function valuesEqual(left: Value, right: Value): boolean {
  if (left === right) return true;
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, index) => valuesEqual(item, right[index] as Value));
  }
  if (isObjectValue(left) && isObjectValue(right)) {
    const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
    for (const key of keys) {
      if (!valuesEqual(left[key] ?? null, right[key] ?? null)) return false;
    }
    return true;
  }
  return false;
}
