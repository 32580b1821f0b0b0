import { parseDuration } from "@keyward/contract";
import type { ChangeKind } from "./change-kind";
import type { PlannedObject, Reading } from "./planned-object";

/** A key's `rotation` block: rotate every `every`, keep the previous secret for `gracePeriod`. */
export interface RotationSchedule {
  every: string | null;
  gracePeriod: string | null;
}

/**
 * How a key's rotation schedule changes. A removed schedule or a longer `every` keeps a secret alive
 * longer: a weakening a review calls out. `unclear` is a change the plan cannot show (unknown or
 * sensitive values).
 */
export type ScheduleVerdict = "unchanged" | "added" | "removed" | "longer" | "shorter" | "changed" | "unclear";

export interface RotationScheduleChange {
  before: Reading<RotationSchedule | null>;
  after: Reading<RotationSchedule | null>;
  verdict: ScheduleVerdict;
}

export function rotationScheduleChange(kind: ChangeKind, before: PlannedObject, after: PlannedObject): RotationScheduleChange {
  const previous = schedule(before);
  const next = kind === "destroy" || kind === "forget" ? previous : schedule(after);
  if (kind === "create" || kind === "destroy" || kind === "forget") return { before: previous, after: next, verdict: "unchanged" };
  return { before: previous, after: next, verdict: verdict(previous, next) };
}

export function weakensSchedule(change: RotationScheduleChange): boolean {
  return change.verdict === "removed" || change.verdict === "longer";
}

function schedule(side: PlannedObject): Reading<RotationSchedule | null> {
  const block = side.object("rotation");
  if (block.state !== "known") return block;
  if (block.value === null) return { state: "known", value: null };
  const every = block.value.string("every");
  const gracePeriod = block.value.string("grace_period");
  if (every.state !== "known") return every;
  return { state: "known", value: { every: every.value, gracePeriod: gracePeriod.state === "known" ? gracePeriod.value : null } };
}

function verdict(before: Reading<RotationSchedule | null>, after: Reading<RotationSchedule | null>): ScheduleVerdict {
  if (before.state !== "known" || after.state !== "known") return "unclear";
  if (before.value === null) return after.value === null ? "unchanged" : "added";
  if (after.value === null) return "removed";
  if (before.value.every === after.value.every) {
    return before.value.gracePeriod === after.value.gracePeriod ? "unchanged" : "changed";
  }
  const previous = parseDuration(before.value.every ?? "");
  const next = parseDuration(after.value.every ?? "");
  if (previous === undefined || next === undefined) return "changed";
  if (next > previous) return "longer";
  if (next < previous) return "shorter";
  return before.value.gracePeriod === after.value.gracePeriod ? "unchanged" : "changed";
}
