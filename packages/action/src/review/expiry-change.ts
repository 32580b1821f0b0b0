import type { ChangeKind } from "./change-kind";
import type { PlannedObject, Reading } from "./planned-object";

/**
 * How a key's `expires_at` changes. A removed expiry, or a later one, keeps a key valid longer: a
 * weakening a review calls out. `unclear` is a change the plan cannot show.
 */
export type ExpiryVerdict = "unchanged" | "added" | "removed" | "later" | "earlier" | "unclear";

export interface ExpiryChange {
  before: Reading<string | null>;
  after: Reading<string | null>;
  verdict: ExpiryVerdict;
}

export function expiryChange(kind: ChangeKind, before: PlannedObject, after: PlannedObject): ExpiryChange {
  const previous = before.string("expires_at");
  const next = kind === "destroy" || kind === "forget" ? previous : after.string("expires_at");
  if (kind === "create" || kind === "destroy" || kind === "forget") return { before: previous, after: next, verdict: "unchanged" };
  return { before: previous, after: next, verdict: verdict(previous, next) };
}

export function weakensExpiry(change: ExpiryChange): boolean {
  return change.verdict === "removed" || change.verdict === "later";
}

function verdict(before: Reading<string | null>, after: Reading<string | null>): ExpiryVerdict {
  if (before.state !== "known" || after.state !== "known") return "unclear";
  if (before.value === after.value) return "unchanged";
  if (before.value === null) return "added";
  if (after.value === null) return "removed";
  const previous = Date.parse(before.value);
  const next = Date.parse(after.value);
  if (Number.isNaN(previous) || Number.isNaN(next) || previous === next) return "unchanged";
  return next > previous ? "later" : "earlier";
}
