import { type ChangeKind, changeKind } from "./change-kind";
import { type DestinationChange, destinationChange } from "./destination-change";
import { type ExpiryChange, expiryChange } from "./expiry-change";
import { PlannedObject, type Reading, readingText } from "./planned-object";
import { type RotationScheduleChange, rotationScheduleChange } from "./rotation-schedule-change";
import { type ScopeChange, scopeChange } from "./scope-change";
import type { ResourceChange } from "./terraform-plan";

export const API_KEY_TYPE = "keyward_api_key";

/**
 * Whether the apply rotates an existing key (SPEC §6: changing `rotation_triggers` rotates in
 * place). `possible` when the triggers are sensitive or known only after apply.
 */
export type RotationOnApply = "none" | "rotates" | "possible";

/** One `keyward_api_key` the plan changes, in reviewer terms. Never holds the `secret` attribute. */
export interface KeyChange {
  address: string;
  kind: ChangeKind;
  project: Reading<string | null>;
  name: Reading<string | null>;
  environment: { before: Reading<string | null>; after: Reading<string | null> };
  scopes: ScopeChange;
  rotation: RotationScheduleChange;
  expiry: ExpiryChange;
  rotationOnApply: RotationOnApply;
  destinations: DestinationChange;
  /** Attributes that force the replacement (`replace_paths`), e.g. `environment`. */
  replacedBecause: string[];
}

/** Describes a `keyward_api_key` change, or `undefined` when the plan leaves the key as it is. */
export function describeKeyChange(resource: ResourceChange): KeyChange | undefined {
  const kind = changeKind(resource.change.actions);
  if (kind === undefined) return undefined;
  const before = PlannedObject.before(resource.change);
  const after = PlannedObject.after(resource.change);
  // A destroyed key is described by what it was; everything else by what it becomes.
  const subject = after.exists ? after : before;
  return {
    address: resource.deposed === undefined ? resource.address : `${resource.address} (deposed)`,
    kind,
    project: subject.string("project"),
    name: subject.string("name"),
    environment: { before: before.exists ? before.string("environment") : none, after: after.exists ? after.string("environment") : none },
    scopes: scopeChange(kind, before, after),
    rotation: rotationScheduleChange(kind, before, after),
    expiry: expiryChange(kind, before, after),
    rotationOnApply: kind === "update" ? triggerRotation(before, after) : "none",
    destinations: destinationChange(kind, before, after),
    replacedBecause: kind === "replace" ? (resource.change.replace_paths ?? []).map((path) => path.join(".")) : [],
  };
}

export function isLive(environment: Reading<string | null>): boolean {
  return environment.state === "known" && environment.value === "live";
}

const none: Reading<string | null> = { state: "known", value: null };

function triggerRotation(before: PlannedObject, after: PlannedObject): RotationOnApply {
  const version = [before.string("secret_wo_version"), after.string("secret_wo_version")];
  if (version.some((reading) => reading.state !== "known")) return "possible";
  const [previousVersion, nextVersion] = [before.number("secret_wo_version"), after.number("secret_wo_version")];
  if (nextVersion !== null && previousVersion !== nextVersion) return "rotates";
  const previous = before.stringMap("rotation_triggers");
  const next = after.stringMap("rotation_triggers");
  if (previous.state !== "known" || next.state !== "known") return "possible";
  return canonical(previous.value) === canonical(next.value) ? "none" : "rotates";
}

function canonical(triggers: Record<string, string> | null): string {
  return JSON.stringify(Object.entries(triggers ?? {}).sort(([a], [b]) => a.localeCompare(b)));
}

/** `project/environment/name`, the form the action's `targets` use to name a key. */
export function keyLabel(key: KeyChange): string {
  const environment = key.environment.after.state === "known" && key.environment.after.value === null ? key.environment.before : key.environment.after;
  return [key.project, environment, key.name].map((part) => readingText(part, "?")).join("/");
}
