import { type ChangeKind, changeKind } from "./change-kind";
import { PlannedObject, type Reading, readingText } from "./planned-object";
import { type ScopeChange, scopeChange } from "./scope-change";
import type { ResourceChange } from "./terraform-plan";

export const TRUST_POLICY_TYPE = "keyward_trust_policy";

/**
 * One `keyward_trust_policy` the plan changes (SPEC §14). A trust policy lets an outside workload
 * mint management tokens with no secret at all, so what a reviewer must see is who gains that:
 * a new policy, or one whose issuer, audience or claims now admit other workloads (a claim removed
 * or changed), or whose binding or token lifetime grows. `widenings` says which, in plain words.
 */
export interface TrustPolicyChange {
  address: string;
  kind: ChangeKind;
  name: Reading<string | null>;
  issuer: Reading<string | null>;
  audience: Reading<string | null>;
  claims: Reading<Record<string, string> | null>;
  project: Reading<string | null>;
  environment: Reading<string | null>;
  scopes: ScopeChange;
  /** Why more workloads (or the same ones, for longer or more widely) can mint tokens after the apply. */
  widenings: string[];
}

export function describeTrustPolicyChange(resource: ResourceChange): TrustPolicyChange | undefined {
  const kind = changeKind(resource.change.actions);
  if (kind === undefined) return undefined;
  const before = PlannedObject.before(resource.change);
  const after = PlannedObject.after(resource.change);
  const subject = after.exists ? after : before;
  return {
    address: resource.address,
    kind,
    name: subject.string("name"),
    issuer: subject.string("issuer"),
    audience: subject.string("audience"),
    claims: subject.stringMap("claims"),
    project: subject.string("project"),
    environment: subject.string("environment"),
    scopes: scopeChange(kind, before, after),
    widenings: widenings(kind, before, after),
  };
}

function widenings(kind: ChangeKind, before: PlannedObject, after: PlannedObject): string[] {
  if (kind === "destroy" || kind === "forget") return [];
  if (kind === "create") return [`new trust: ${claimsText(after.stringMap("claims"))} from ${readingText(after.string("issuer"), "?")} may mint management tokens`];
  const found: string[] = [];
  for (const attribute of ["issuer", "audience"] as const) {
    if (!same(before.string(attribute), after.string(attribute))) found.push(`${attribute} changes: ${readingText(before.string(attribute), "none")} → ${readingText(after.string(attribute), "none")}`);
  }
  found.push(...claimWidenings(before.stringMap("claims"), after.stringMap("claims")));
  for (const attribute of ["project", "environment"] as const) {
    const next = after.string(attribute);
    if (next.state === "known" && next.value === null && !same(before.string(attribute), next)) found.push(`no longer bound to one ${attribute}`);
    else if (next.state !== "known" && !same(before.string(attribute), next)) found.push(`${attribute} binding ${readingText(next, "none")}`);
  }
  const ttlBefore = before.string("ttl");
  const ttlAfter = after.string("ttl");
  if (!same(ttlBefore, ttlAfter)) found.push(`token lifetime ${readingText(ttlBefore, "default")} → ${readingText(ttlAfter, "default")}`);
  return found;
}

function claimWidenings(before: Reading<Record<string, string> | null>, after: Reading<Record<string, string> | null>): string[] {
  if (before.state !== "known" || after.state !== "known") return same(before, after) ? [] : ["claims the plan cannot show"];
  const previous = before.value ?? {};
  const next = after.value ?? {};
  const found: string[] = [];
  for (const [name, value] of Object.entries(previous)) {
    if (!(name in next)) found.push(`claim ${name} = ${value} no longer required`);
    else if (next[name] !== value) found.push(`claim ${name} changes: ${value} → ${next[name]}`);
  }
  return found;
}

function same<T>(a: Reading<T>, b: Reading<T>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function claimsText(claims: Reading<Record<string, string> | null>): string {
  return readingText(claims, "(no claims)", (value) =>
    Object.entries(value)
      .map(([name, claim]) => `${name} = ${claim}`)
      .join(", "),
  );
}

/** The policy's name and what its tokens are bound to, e.g. `rotate-billing (billing-api, live)`. */
export function trustPolicyLabel(policy: TrustPolicyChange): string {
  const binding = [readingText(policy.project, "every project"), readingText(policy.environment, "every environment")];
  return `${readingText(policy.name, "?")} (${binding.join(", ")})`;
}
