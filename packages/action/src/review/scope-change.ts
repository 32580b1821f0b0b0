import type { ChangeKind } from "./change-kind";
import type { PlannedObject, Reading, StringList } from "./planned-object";

/**
 * How one key's (or management token's) scope set changes. `unknownAdded` counts scopes the plan
 * knows only after apply, and `hidden` says the whole set is unknown or sensitive: both may widen
 * access, so a review treats them as widening rather than guess.
 */
export interface ScopeChange {
  /** The scopes after the apply (before it, for a destroy), sorted. */
  current: string[];
  added: string[];
  removed: string[];
  unknownAdded: number;
  hidden: boolean;
}

export function scopeChange(kind: ChangeKind, before: PlannedObject, after: PlannedObject, attribute = "scopes"): ScopeChange {
  const previous = knownScopes(before.stringList(attribute));
  const next = kind === "destroy" || kind === "forget" ? previous : knownScopes(after.stringList(attribute));
  const current = sorted(next?.known ?? []);
  if (kind === "destroy" || kind === "forget") return { current, added: [], removed: [], unknownAdded: 0, hidden: previous === undefined };
  if (kind === "create") return { current, added: current, removed: [], unknownAdded: next?.unknownCount ?? 0, hidden: next === undefined };
  const had = new Set(previous?.known ?? []);
  const has = new Set(next?.known ?? []);
  return {
    current,
    added: current.filter((scope) => !had.has(scope)),
    removed: sorted([...had].filter((scope) => !has.has(scope))),
    unknownAdded: next?.unknownCount ?? 0,
    hidden: previous === undefined || next === undefined,
  };
}

/** Whether an existing key or token gains access: new scopes, or scopes the plan cannot show. */
export function widensScopes(kind: ChangeKind, change: ScopeChange): boolean {
  if (kind !== "update" && kind !== "replace") return false;
  return change.added.length > 0 || change.unknownAdded > 0 || change.hidden;
}

function knownScopes(reading: Reading<StringList | null>): StringList | undefined {
  if (reading.state !== "known") return undefined;
  return reading.value ?? { known: [], unknownCount: 0 };
}

function sorted(scopes: Iterable<string>): string[] {
  return [...new Set(scopes)].sort();
}
