import { type EnvironmentPolicy, ExposureResponse, type ProjectPolicy, type PutProjectPolicyRequest } from "@keyward/contract";
import { cty, type Diagnostic, Diagnostics, isObjectValue, type ObjectValue, type ResourceDefinition, type Value } from "@keyward/terraform-plugin";
import { check, rules, type Rule } from "../configuration-rules";
import { rememberPlannedPolicy } from "../key-policy-check";
import type { KeywardContext } from "../provider-context";
import { request, unlessNotFound } from "../request-failure";

/**
 * `keyward_project_policy` (SPEC §18): the rules every key of a project's environment must keep,
 * and what happens when one of its secrets is found in public. The key service refuses a key that
 * breaks them; `keyward_api_key` reports it at plan time. Destroying the resource lifts every rule
 * (exposure back to `revoke`). Imported by project name.
 */
const DURATIONS = ["max_lifetime", "max_rotation_every", "max_grace_period"] as const;
const FLAGS = ["require_rotation", "require_destinations"] as const;
const ENVIRONMENTS = ["live", "test"] as const;

const environmentPolicyAttribute = (environment: string) => ({
  optional: true,
  description: `The rules for ${environment} keys; absent for none (exposure revoke).`,
  attributes: {
    max_lifetime: { type: cty.string, optional: true, description: "Every key must expire at most this long after its creation (its `expires_at` must be set), e.g. `365d`." },
    require_rotation: { type: cty.bool, optional: true, description: "true: every key must have a `rotation` schedule." },
    max_rotation_every: { type: cty.string, optional: true, description: "Every key must rotate at least this often (`rotation.every` at most this), e.g. `90d`; implies a rotation schedule." },
    max_grace_period: {
      type: cty.string,
      optional: true,
      description: "The longest grace period a key or a rotation may ask for; also caps a grace that starts at first use (default `7d`).",
    },
    require_destinations: { type: cty.bool, optional: true, description: "true: every key must have at least one `destination`." },
    exposure: { type: cty.string, optional: true, description: "`revoke` (default), `rotate` or `notify`: what happens when one of the keys' secrets is found in public." },
  },
});

const exposure: Rule = (value, path) =>
  ExposureResponse.safeParse(value).success ? undefined : Diagnostics.invalidAttribute(path, `${JSON.stringify(value)} is not an exposure response. Expected "revoke", "rotate" or "notify".`);

export const projectPolicyResource: ResourceDefinition<KeywardContext> = {
  typeName: "keyward_project_policy",
  schema: {
    description:
      "A project's key policy per environment: the key service refuses a key that breaks it (and this provider reports it at plan time), and the GitHub Action's check mode lists keys that broke a policy made stricter later.",
    attributes: {
      id: { type: cty.string, computed: true, description: "The project name." },
      project: { type: cty.string, required: true, requiresReplace: true, description: "Project name." },
      live: environmentPolicyAttribute("live"),
      test: environmentPolicyAttribute("test"),
    },
  },

  validate(config) {
    const diagnostics: Diagnostic[] = [...check(config, ["project"], rules.projectName)];
    for (const environment of ENVIRONMENTS) {
      for (const name of DURATIONS) diagnostics.push(...check(config, [environment, name], rules.duration));
      diagnostics.push(...check(config, [environment, "exposure"], exposure));
    }
    return diagnostics;
  },

  async plan({ client }, { planned }) {
    if (typeof planned.project === "string" && ENVIRONMENTS.every((environment) => isWhollyKnownPolicy(planned[environment]))) {
      rememberPlannedPolicy(client, { project: planned.project, ...requestOf(planned) } as ProjectPolicy);
    }
    return { planned };
  },

  async create({ client }, { planned }) {
    return putPolicy(client, planned);
  },

  async read({ client }, state) {
    const project = (state.id ?? state.project) as string;
    const policy = await request(`read the policy of project "${project}"`, () => unlessNotFound(() => client.keyward.projects.getPolicy(project)));
    return policy ? policyState(policy, state) : null;
  },

  async update({ client }, { planned }) {
    return putPolicy(client, planned);
  },

  async delete({ client }, prior) {
    const project = prior.id as string;
    await request(`reset the policy of project "${project}"`, () =>
      unlessNotFound(() => client.keyward.projects.putPolicy(project, { live: { exposure: "revoke" }, test: { exposure: "revoke" } })),
    );
  },

  async importState(_context, id) {
    return { id };
  },
};

function isWhollyKnownPolicy(value: Value | undefined): boolean {
  if (value === null || value === undefined) return true;
  return isObjectValue(value) && Object.values(value).every((item) => item === null || typeof item === "string" || typeof item === "boolean");
}

/** One environment's configuration as the API's policy; absent rules are left out. */
function environmentRequestOf(value: Value | undefined): EnvironmentPolicy {
  const policy: Record<string, unknown> = { exposure: "revoke" };
  if (!isObjectValue(value ?? null)) return policy as EnvironmentPolicy;
  for (const [name, item] of Object.entries(value as ObjectValue)) if (item !== null) policy[name] = item;
  return policy as EnvironmentPolicy;
}

function requestOf(planned: ObjectValue): Required<PutProjectPolicyRequest> {
  return { live: environmentRequestOf(planned.live), test: environmentRequestOf(planned.test) };
}

async function putPolicy(client: KeywardContext, planned: ObjectValue): Promise<ObjectValue> {
  const project = planned.project as string;
  const policy = await request(`set the policy of project "${project}"`, () => client.keyward.projects.putPolicy(project, requestOf(planned)));
  return policyState(policy, planned);
}

/**
 * The API spells out the defaults (`exposure = "revoke"`, an environment with no rules); where the
 * configuration left them unset, the state keeps them unset so a plan after apply shows no change.
 */
function policyState(policy: ProjectPolicy, prior: ObjectValue): ObjectValue {
  const state: ObjectValue = { id: policy.project, project: policy.project };
  for (const environment of ENVIRONMENTS) state[environment] = environmentState(policy[environment], prior[environment]);
  return state;
}

function environmentState(policy: EnvironmentPolicy, prior: Value | undefined): Value {
  const priorObject = isObjectValue(prior ?? null) ? (prior as ObjectValue) : null;
  const hasRules = [...DURATIONS, ...FLAGS].some((name) => policy[name] !== undefined && policy[name] !== false);
  if (!priorObject && !hasRules && policy.exposure === "revoke") return null;
  // `false` and the default exposure mean the same as unset: unless the state spelt them out, keep them unset.
  const value = (name: string, item: string | boolean | undefined): Value => {
    if (item === undefined) return null;
    if ((item === false || (name === "exposure" && item === "revoke")) && priorObject?.[name] !== item) return null;
    return item;
  };
  return {
    max_lifetime: value("max_lifetime", policy.max_lifetime),
    require_rotation: value("require_rotation", policy.require_rotation),
    max_rotation_every: value("max_rotation_every", policy.max_rotation_every),
    max_grace_period: value("max_grace_period", policy.max_grace_period),
    require_destinations: value("require_destinations", policy.require_destinations),
    exposure: value("exposure", policy.exposure),
  };
}
