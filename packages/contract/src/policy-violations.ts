import type { Rotation } from "./common";
import { formatDuration, parseDuration } from "./duration";
import type { EnvironmentPolicy } from "./project-policy";

/** The rules a project policy sets on keys (SPEC §18); `exposure` is a response, not a rule. */
export const policyRules = ["max_lifetime", "require_rotation", "max_rotation_every", "max_grace_period", "require_destinations"] as const;
export type PolicyRule = (typeof policyRules)[number];

/**
 * What the rules look at in a key, as the API spells it. `null` means the key has no such setting;
 * `undefined` means it is not known yet (a Terraform plan's unknown value), and no rule is judged on it.
 */
export interface PolicyKeyShape {
  expires_at: string | null | undefined;
  rotation: { every: string | undefined; grace_period: string | undefined } | Rotation | null | undefined;
  destinations: readonly unknown[] | undefined;
  /** When the key was created; absent for a key not created yet, which counts from `now`. */
  created_at?: string | undefined;
}

/** One broken rule: the key's field as the API spells it (`rotation.every`) and what the rule expects. */
export interface PolicyViolation {
  rule: PolicyRule;
  field: string;
  message: string;
}

const days = (text: string) => formatDuration(parseDuration(text) ?? 0);

/**
 * Every rule of `policy` that `key` breaks. The one implementation of the rules: the server refuses
 * a create or update with it, the provider reports it at plan time, the constructs at synth, the
 * action in review and check mode.
 */
export function policyViolations(policy: EnvironmentPolicy, key: PolicyKeyShape, now: Date): PolicyViolation[] {
  return [...lifetimeViolations(policy, key, now), ...rotationViolations(policy, key.rotation), ...destinationViolations(policy, key.destinations)];
}

/** A rotation's own grace period (the rotate request's override) against `max_grace_period`. */
export function gracePeriodViolation(policy: EnvironmentPolicy, gracePeriod: string | undefined): PolicyViolation | undefined {
  if (!policy.max_grace_period || gracePeriod === undefined) return undefined;
  const longest = parseDuration(policy.max_grace_period) ?? Infinity;
  if ((parseDuration(gracePeriod) ?? 0) <= longest) return undefined;
  return { rule: "max_grace_period", field: "grace_period", message: `must be at most ${days(policy.max_grace_period)} (policy max_grace_period)` };
}

/** `rotation.every: must be at most 90d (policy max_rotation_every)`, for messages. */
export function describeViolation(violation: PolicyViolation): string {
  return `${violation.field}: ${violation.message}`;
}

function lifetimeViolations(policy: EnvironmentPolicy, key: PolicyKeyShape, now: Date): PolicyViolation[] {
  if (!policy.max_lifetime || key.expires_at === undefined) return [];
  const lifetime = days(policy.max_lifetime);
  const violation = { rule: "max_lifetime" as const, field: "expires_at", message: `must be set, at most ${lifetime} after the key's creation (policy max_lifetime)` };
  if (key.expires_at === null) return [violation];
  const start = key.created_at ? Date.parse(key.created_at) : now.getTime();
  const latest = start + (parseDuration(policy.max_lifetime) ?? Infinity);
  return Date.parse(key.expires_at) > latest ? [violation] : [];
}

function rotationViolations(policy: EnvironmentPolicy, rotation: PolicyKeyShape["rotation"]): PolicyViolation[] {
  if (rotation === undefined) return [];
  if (rotation === null) {
    if (policy.max_rotation_every) {
      return [{ rule: "max_rotation_every", field: "rotation", message: `must be set, with every at most ${days(policy.max_rotation_every)} (policy max_rotation_every)` }];
    }
    return policy.require_rotation ? [{ rule: "require_rotation", field: "rotation", message: "must be set (policy require_rotation)" }] : [];
  }
  const violations: PolicyViolation[] = [];
  if (policy.max_rotation_every && rotation.every !== undefined && (parseDuration(rotation.every) ?? 0) > (parseDuration(policy.max_rotation_every) ?? Infinity)) {
    violations.push({ rule: "max_rotation_every", field: "rotation.every", message: `must be at most ${days(policy.max_rotation_every)} (policy max_rotation_every)` });
  }
  const grace = gracePeriodViolation(policy, rotation.grace_period);
  if (grace) violations.push({ ...grace, field: "rotation.grace_period" });
  return violations;
}

function destinationViolations(policy: EnvironmentPolicy, destinations: PolicyKeyShape["destinations"]): PolicyViolation[] {
  if (!policy.require_destinations || destinations === undefined || destinations.length > 0) return [];
  return [{ rule: "require_destinations", field: "destinations", message: "must list at least one destination (policy require_destinations)" }];
}
