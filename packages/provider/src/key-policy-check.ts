import { type EnvironmentPolicy, type PolicyKeyShape, type PolicyViolation, policyViolations, type ProjectPolicy } from "@keyward/contract";
import { type AttributePath, type Diagnostic, Diagnostics, isObjectValue, isUnknown, type ObjectValue, type Value, valuesEqual } from "@keyward/terraform-plugin";
import type { KeywardContext } from "./provider-context";
import { request, unlessNotFound } from "./request-failure";

/**
 * Plan-time policy reporting (SPEC §18): a `keyward_api_key` whose planned configuration breaks its
 * project's policy fails `terraform plan`, naming the attribute and the rule, with the contract's
 * own `policyViolations`, the rules the server enforces at apply.
 *
 * The policy is the one a `keyward_project_policy` of this run plans, when Terraform planned it
 * first (make the key `depends_on` the policy to be sure), else the key service's current one.
 */
const planned = new WeakMap<KeywardContext, Map<string, ProjectPolicy>>();
const read = new WeakMap<KeywardContext, Map<string, Promise<ProjectPolicy | undefined>>>();

export function rememberPlannedPolicy(context: KeywardContext, policy: ProjectPolicy): void {
  let policies = planned.get(context);
  if (!policies) planned.set(context, (policies = new Map()));
  policies.set(policy.project, policy);
}

function policyOf(context: KeywardContext, project: string): Promise<ProjectPolicy | undefined> {
  const known = planned.get(context)?.get(project);
  if (known) return Promise.resolve(known);
  let reads = read.get(context);
  if (!reads) read.set(context, (reads = new Map()));
  let policy = reads.get(project);
  if (!policy) {
    policy = request(`read the policy of project "${project}"`, () => unlessNotFound(() => context.keyward.projects.getPolicy(project)));
    // A failed read is not remembered: the next key asks again.
    policy.catch(() => reads.delete(project));
    reads.set(project, policy);
  }
  return policy;
}

/** The Terraform attribute a violation names: `destinations` is the `destination` block. */
function attributePathOf(violation: PolicyViolation): AttributePath {
  const [attribute, ...nested] = violation.field.split(".");
  return [attribute === "destinations" ? "destination" : attribute!, ...nested];
}

const known = (value: Value | undefined): Value | undefined => (value === undefined || isUnknown(value) ? undefined : value);

/** What the rules look at in a planned key; unknown values are not judged. */
function shapeOf(key: ObjectValue): PolicyKeyShape {
  const rotation = known(key.rotation);
  const destinations = known(key.destination);
  const field = (name: string) => (isObjectValue(rotation ?? null) ? (known((rotation as ObjectValue)[name]) as string | undefined) : undefined);
  return {
    expires_at: known(key.expires_at) as string | null | undefined,
    rotation: rotation === undefined ? undefined : rotation === null ? null : { every: field("every"), grace_period: field("grace_period") },
    destinations: Array.isArray(destinations) ? destinations : destinations === undefined ? undefined : [],
    ...(typeof key.created_at === "string" ? { created_at: key.created_at } : {}),
  };
}

/**
 * Diagnostics for the rules the planned key breaks. Like the server, an update is judged only on
 * the attributes it changes: a key that broke a policy tightened after it was created still plans
 * a rename (the action's `check` mode lists it until it is fixed).
 */
export async function policyDiagnostics(context: KeywardContext, prior: ObjectValue | null, key: ObjectValue, now: Date): Promise<Diagnostic[]> {
  const project = key.project;
  const environment = key.environment;
  if (typeof project !== "string" || (environment !== "live" && environment !== "test")) return [];
  const judged = ["expires_at", "rotation", "destination"];
  // A plan that changes none of what the rules look at never asks the key service.
  if (prior && judged.every((attribute) => valuesEqual(prior[attribute] ?? null, key[attribute] ?? null))) return [];
  const policy: EnvironmentPolicy | undefined = (await policyOf(context, project))?.[environment];
  if (!policy) return [];
  const violations = policyViolations(policy, shapeOf(prior ? { ...key, created_at: prior.created_at ?? null } : key), now).filter((violation) => {
    if (!prior) return true;
    const [attribute] = attributePathOf(violation);
    return !valuesEqual(prior[attribute as string] ?? null, key[attribute as string] ?? null);
  });
  return violations.map((violation) =>
    Diagnostics.invalidAttribute(
      attributePathOf(violation),
      `Key "${String(key.name)}" breaks the ${environment} policy of project "${project}": ${violation.field} ${violation.message}. Change the key to keep rule ${violation.rule}, or change the project's policy (keyward_project_policy).`,
    ),
  );
}
