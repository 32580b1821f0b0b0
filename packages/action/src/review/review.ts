import { type CatalogChange, describeCatalogChange, PROJECT_TYPE, SCOPE_TYPE } from "./catalog-change";
import { type ChangeKind, changeKind } from "./change-kind";
import { widensExposure } from "./destination-change";
import { weakensExpiry } from "./expiry-change";
import { API_KEY_TYPE, describeKeyChange, isLive, type KeyChange } from "./key-change";
import { weakensSchedule } from "./rotation-schedule-change";
import { widensScopes } from "./scope-change";
import { keyPolicyBreaches } from "./project-policy-check";
import type { TerraformPlan } from "./terraform-plan";
import { describeTokenChange, MANAGEMENT_TOKEN_TYPE, type TokenChange } from "./token-change";
import { describeTrustPolicyChange, TRUST_POLICY_TYPE, type TrustPolicyChange } from "./trust-policy-change";

/**
 * Something a reviewer must look at before approving. `scope-widening`, `destination-added`,
 * `live-key-destroyed`, `expiry-removed` and `live-without-rotation` are what the `fail-on` review
 * policies check (SPEC §7, §13), and `policy` a key that breaks its project's policy as the plan
 * declares it (SPEC §18); the others are called out without a policy.
 */
export const findingKinds = [
  "policy",
  "scope-widening",
  "trust-widening",
  "destination-added",
  "live-key-destroyed",
  "expiry-removed",
  "live-without-rotation",
  "rotation-weakened",
  "expiry-later",
  "destination-removed",
  "secret-leaves-state",
] as const;
export type FindingKind = (typeof findingKinds)[number];

export interface Finding {
  kind: FindingKind;
  address: string;
  subject: KeyChange | TokenChange | TrustPolicyChange;
  /** `policy`: each broken rule, e.g. `rotation.every must be at most 90d (policy max_rotation_every)`. */
  detail?: string;
}

/** Everything in the plan that is not a Keyward resource, counted by what the apply does to it. */
export interface OtherChanges {
  counts: Record<ChangeKind, number>;
  types: string[];
}

export interface SecretsReissued {
  created: number;
  replaced: number;
  rotated: number;
  total: number;
  /** Keys whose rotation cannot be told from the plan (sensitive or unknown `rotation_triggers`). */
  possiblyRotated: number;
  /** Management token secrets the apply issues (created or replaced tokens). */
  tokens: number;
}

/** The review of one plan: the model the markdown, the step summary and the policies read. */
export interface Review {
  terraformVersion: string | undefined;
  keys: KeyChange[];
  tokens: TokenChange[];
  trustPolicies: TrustPolicyChange[];
  catalog: CatalogChange[];
  findings: Finding[];
  secrets: SecretsReissued;
  other: OtherChanges;
}

export function buildReview(plan: TerraformPlan, now: Date = new Date()): Review {
  const managed = plan.resource_changes.filter((resource) => resource.mode === "managed");
  const keys = present(managed.filter((resource) => resource.type === API_KEY_TYPE).map(describeKeyChange));
  const tokens = present(managed.filter((resource) => resource.type === MANAGEMENT_TOKEN_TYPE).map(describeTokenChange));
  const trustPolicies = present(managed.filter((resource) => resource.type === TRUST_POLICY_TYPE).map(describeTrustPolicyChange));
  const catalog = present(
    managed.filter((resource) => resource.type === PROJECT_TYPE || resource.type === SCOPE_TYPE).map(describeCatalogChange),
  );
  return {
    terraformVersion: plan.terraform_version,
    keys,
    tokens,
    trustPolicies,
    catalog,
    findings: byKind([...policyFindings(plan, keys, now), ...keys.flatMap(keyFindings), ...tokens.flatMap(tokenFindings), ...trustPolicies.flatMap(trustPolicyFindings)]),
    secrets: secretsReissued(keys, tokens),
    other: otherChanges(plan),
  };
}

function keyFindings(key: KeyChange): Finding[] {
  const found: FindingKind[] = [];
  if (widensScopes(key.kind, key.scopes)) found.push("scope-widening");
  if (key.kind === "destroy" || key.kind === "replace") {
    if (isLive(key.environment.before)) found.push("live-key-destroyed");
  }
  if (key.kind !== "destroy" && key.kind !== "forget" && isLive(key.environment.after) && hasNoSchedule(key)) {
    found.push("live-without-rotation");
  }
  if (key.expiry.verdict === "removed") found.push("expiry-removed");
  if (key.expiry.verdict === "later") found.push("expiry-later");
  if (weakensSchedule(key.rotation)) found.push("rotation-weakened");
  if (widensExposure(key.destinations)) found.push("destination-added");
  if (key.destinations.removed.length > 0) found.push("destination-removed");
  if (key.destinations.leavesState) found.push("secret-leaves-state");
  return found.map((kind) => ({ kind, address: key.address, subject: key }));
}

function policyFindings(plan: TerraformPlan, keys: readonly KeyChange[], now: Date): Finding[] {
  return keyPolicyBreaches(plan, now).flatMap((breach) => {
    const key = keys.find((candidate) => candidate.address === breach.address);
    if (!key) return [];
    const detail = `breaks the ${breach.environment} policy of project ${breach.project}: ${breach.violations.map((violation) => `${violation.field} ${violation.message}`).join("; ")}`;
    return [{ kind: "policy" as const, address: key.address, subject: key, detail }];
  });
}

function tokenFindings(token: TokenChange): Finding[] {
  const found: FindingKind[] = [];
  if (widensScopes(token.kind, token.scopes)) found.push("scope-widening");
  if (weakensExpiry(token.expiry)) found.push(token.expiry.verdict === "removed" ? "expiry-removed" : "expiry-later");
  return found.map((kind) => ({ kind, address: token.address, subject: token }));
}

/** A new or widened trust policy is called out like a scope widening (SPEC §14). */
function trustPolicyFindings(policy: TrustPolicyChange): Finding[] {
  const found: FindingKind[] = [];
  if (widensScopes(policy.kind, policy.scopes)) found.push("scope-widening");
  if (policy.widenings.length > 0) found.push("trust-widening");
  return found.map((kind) => ({ kind, address: policy.address, subject: policy }));
}

function hasNoSchedule(key: KeyChange): boolean {
  return key.rotation.after.state === "known" && key.rotation.after.value === null;
}

function secretsReissued(keys: KeyChange[], tokens: TokenChange[]): SecretsReissued {
  const count = (predicate: (key: KeyChange) => boolean) => keys.filter(predicate).length;
  const created = count((key) => key.kind === "create");
  const replaced = count((key) => key.kind === "replace");
  const rotated = count((key) => key.rotationOnApply === "rotates");
  return {
    created,
    replaced,
    rotated,
    total: created + replaced + rotated,
    possiblyRotated: count((key) => key.rotationOnApply === "possible"),
    tokens: tokens.filter((token) => token.kind === "create" || token.kind === "replace").length,
  };
}

const KEYWARD_TYPES = new Set([API_KEY_TYPE, MANAGEMENT_TOKEN_TYPE, TRUST_POLICY_TYPE, PROJECT_TYPE, SCOPE_TYPE]);

function otherChanges(plan: TerraformPlan): OtherChanges {
  const counts: Record<ChangeKind, number> = { create: 0, update: 0, replace: 0, destroy: 0, forget: 0 };
  const types = new Set<string>();
  for (const resource of plan.resource_changes) {
    if (resource.mode !== "managed" || KEYWARD_TYPES.has(resource.type)) continue;
    const kind = changeKind(resource.change.actions);
    if (kind === undefined) continue;
    counts[kind] += 1;
    types.add(resource.type);
  }
  return { counts, types: [...types].sort() };
}

/** Widenings first, then the rest in the order of `findingKinds`; stable within a kind. */
function byKind(findings: Finding[]): Finding[] {
  return findings.toSorted((a, b) => findingKinds.indexOf(a.kind) - findingKinds.indexOf(b.kind));
}

function present<T>(items: (T | undefined)[]): T[] {
  return items.filter((item): item is T => item !== undefined);
}

