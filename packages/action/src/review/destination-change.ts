import { Destination, describeDestination, destinationIdentity } from "@keyward/contract";
import type { ChangeKind } from "./change-kind";
import type { PlannedObject, Reading } from "./planned-object";

/**
 * How a key's `destination` blocks change (SPEC §13): where its secret is delivered. A new
 * destination is an exposure widening (the secret goes to a new place), reported like a scope
 * widening; a removed one keeps the last secret written there. `leavesState` notes a key whose
 * change moves its secret out of the Terraform state (its first destination, or `secret_wo`).
 */
export interface DestinationChange {
  added: string[];
  removed: string[];
  /** Destination blocks the plan cannot show yet (known only after apply). */
  unknown: boolean;
  leavesState: boolean;
}

export function destinationChange(kind: ChangeKind, before: PlannedObject, after: PlannedObject): DestinationChange {
  const previous = before.exists ? destinationsOf(before.objectList("destination")) : { destinations: [], unknown: false };
  const next = after.exists ? destinationsOf(after.objectList("destination")) : { destinations: [], unknown: false };
  const known = new Set(previous.destinations.map(destinationIdentity));
  const kept = new Set(next.destinations.map(destinationIdentity));
  const existing = kind === "update" || kind === "replace";
  return {
    added: existing ? next.destinations.filter((destination) => !known.has(destinationIdentity(destination))).map(describeDestination) : [],
    removed: existing ? previous.destinations.filter((destination) => !kept.has(destinationIdentity(destination))).map(describeDestination) : [],
    unknown: existing && next.unknown,
    leavesState: existing && !keepsSecretOutOfState(before) && keepsSecretOutOfState(after),
  };
}

export function widensExposure(change: DestinationChange): boolean {
  return change.added.length > 0 || change.unknown;
}

function keepsSecretOutOfState(side: PlannedObject): boolean {
  const destinations = side.objectList("destination");
  const version = side.string("secret_wo_version");
  const hasDestinations = destinations.state !== "known" || (destinations.value?.length ?? 0) > 0;
  const hasWriteOnly = version.state !== "known" || side.number("secret_wo_version") !== null;
  return hasDestinations || hasWriteOnly;
}

function destinationsOf(reading: Reading<Record<string, unknown>[] | null>): { destinations: Destination[]; unknown: boolean } {
  if (reading.state !== "known") return { destinations: [], unknown: true };
  const destinations = (reading.value ?? []).flatMap((block) => {
    const parsed = Destination.safeParse(apiFormOf(block));
    return parsed.success ? [parsed.data] : [];
  });
  return { destinations, unknown: false };
}

/** A `destination` block of the plan as the API's destination. */
function apiFormOf(block: Record<string, unknown>): unknown {
  const withoutNulls = (value: unknown) => Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([, field]) => field !== null));
  if (isRecord(block.github_secret)) return { type: "github_secret", ...withoutNulls(block.github_secret) };
  if (isRecord(block.github_org_secret)) return { type: "github_org_secret", ...withoutNulls(block.github_org_secret) };
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
