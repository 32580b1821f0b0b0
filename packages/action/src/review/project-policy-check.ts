import { EnvironmentPolicy, type PolicyKeyShape, type PolicyViolation, policyViolations } from "@keyward/contract";
import { API_KEY_TYPE } from "./key-change";
import type { ResourceChange, TerraformPlan } from "./terraform-plan";

export const PROJECT_POLICY_TYPE = "keyward_project_policy";

/** A key change that breaks its project's policy as the plan declares it (SPEC §18). */
export interface KeyPolicyBreach {
  address: string;
  project: string;
  environment: "live" | "test";
  violations: PolicyViolation[];
}

type Values = Record<string, unknown>;
const isValues = (value: unknown): value is Values => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The project policies the plan leaves in place: each `keyward_project_policy` after the apply
 * (also those the plan does not change, which `terraform show -json` lists as no-op).
 */
export function plannedPolicies(plan: TerraformPlan): Map<string, Record<"live" | "test", EnvironmentPolicy>> {
  const policies = new Map<string, Record<"live" | "test", EnvironmentPolicy>>();
  for (const resource of plan.resource_changes) {
    if (resource.mode !== "managed" || resource.type !== PROJECT_POLICY_TYPE || !isValues(resource.change.after)) continue;
    const after = resource.change.after;
    if (typeof after.project !== "string") continue;
    const live = EnvironmentPolicy.safeParse(withoutNulls(after.live));
    const test = EnvironmentPolicy.safeParse(withoutNulls(after.test));
    if (live.success && test.success) policies.set(after.project, { live: live.data, test: test.data });
  }
  return policies;
}

/**
 * Keys the plan creates or changes so that they break their project's policy, judged by the
 * contract's `policyViolations`, the server's own rules. An update is judged only on the attributes
 * it changes, as the server does; unknown values are not judged.
 */
export function keyPolicyBreaches(plan: TerraformPlan, now: Date): KeyPolicyBreach[] {
  const policies = plannedPolicies(plan);
  return plan.resource_changes.flatMap((resource) => {
    const breach = resource.mode === "managed" && resource.type === API_KEY_TYPE ? breachOf(resource, policies, now) : undefined;
    return breach ? [breach] : [];
  });
}

function breachOf(resource: ResourceChange, policies: ReturnType<typeof plannedPolicies>, now: Date): KeyPolicyBreach | undefined {
  const { actions, before, after, after_unknown: unknown } = resource.change;
  if (!isValues(after) || !(actions.includes("create") || actions.includes("update"))) return undefined;
  const project = after.project;
  const environment = after.environment;
  if (typeof project !== "string" || (environment !== "live" && environment !== "test")) return undefined;
  const policy = policies.get(project)?.[environment];
  if (!policy) return undefined;
  const unknownOf = isValues(unknown) ? unknown : {};
  const known = (name: string) => (unknownOf[name] === true ? undefined : after[name]);
  const rotation = known("rotation");
  const destinations = known("destination");
  const shape: PolicyKeyShape = {
    expires_at: known("expires_at") as string | null | undefined,
    rotation: isValues(rotation) ? { every: rotation.every as string | undefined, grace_period: rotation.grace_period as string | undefined } : rotation === undefined ? undefined : null,
    destinations: Array.isArray(destinations) ? destinations : destinations === undefined ? undefined : [],
    ...(isValues(before) && typeof before.created_at === "string" && !actions.includes("create") ? { created_at: before.created_at } : {}),
  };
  const changed = (field: string) => {
    if (actions.includes("create") || !isValues(before)) return true;
    const attribute = field.split(".")[0] === "destinations" ? "destination" : field.split(".")[0]!;
    return JSON.stringify(before[attribute] ?? null) !== JSON.stringify(after[attribute] ?? null);
  };
  const violations = policyViolations(policy, shape, now).filter((violation) => changed(violation.field));
  return violations.length > 0 ? { address: resource.address, project, environment, violations } : undefined;
}

function withoutNulls(value: unknown): Values {
  if (!isValues(value)) return {};
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== null));
}
