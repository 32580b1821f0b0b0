import { BINDING_CLAIMS, CLAIM_NAME_PATTERN, GITHUB_ACTIONS_ISSUER, IssuerUrl, managementScopes, parseDuration, REGISTERED_CLAIMS, TRUST_POLICY_MAX_TTL_MS, type TrustPolicy } from "@keyward/contract";
import type { Keyward, PutTrustPolicyParams } from "@keyward/client";
import { check, checkEach, rules, type Rule } from "../configuration-rules";
import { cty, type Diagnostic, Diagnostics, isObjectValue, type ObjectValue, type ResourceDefinition } from "@keyward/terraform-plugin";
import type { KeywardContext } from "../provider-context";
import { request, unlessNotFound } from "../request-failure";

/**
 * `keyward_trust_policy` (SPEC §14): which external workloads, e.g. a GitHub Actions job of one
 * repository on one branch, may exchange their OIDC ID token for a short-lived management token.
 * Imported by name. Every setting but the name changes in place.
 */
const quote = (value: string) => JSON.stringify(value);

const managementScope: Rule = (value, path) =>
  (managementScopes as readonly string[]).includes(value)
    ? undefined
    : Diagnostics.invalidAttribute(path, `${quote(value)} is not a management scope. Expected one of ${managementScopes.join(", ")}.`);

const issuerUrl: Rule = (value, path) =>
  IssuerUrl.safeParse(value).success
    ? undefined
    : Diagnostics.invalidAttribute(path, `${quote(value)} is not an issuer URL. Expected the ID token's iss exactly, such as ${GITHUB_ACTIONS_ISSUER} (no trailing '/').`);

const ttl: Rule = (value, path) => {
  const milliseconds = parseDuration(value);
  return milliseconds !== undefined && milliseconds <= TRUST_POLICY_MAX_TTL_MS
    ? undefined
    : Diagnostics.invalidAttribute(path, `${quote(value)} is not a token lifetime. Expected a duration of at most 1h, such as 15m.`);
};

function checkClaims(config: ObjectValue): Diagnostic[] {
  const claims = config.claims;
  if (!isObjectValue(claims)) return [];
  const names = Object.keys(claims);
  const diagnostics: Diagnostic[] = [];
  for (const name of names) {
    if (!CLAIM_NAME_PATTERN.test(name) || (REGISTERED_CLAIMS as readonly string[]).includes(name)) {
      diagnostics.push(
        Diagnostics.invalidAttribute(["claims"], `Claim ${quote(name)} cannot be matched. Expected a claim name other than ${REGISTERED_CLAIMS.join(", ")} (the exchange checks those itself).`),
      );
    }
  }
  if (!BINDING_CLAIMS.some((name) => names.includes(name))) {
    diagnostics.push(
      Diagnostics.invalidAttribute(
        ["claims"],
        `The claims name no immutable identity. Expected at least one of ${BINDING_CLAIMS.join(", ")}: repository names can be re-registered by someone else, ids cannot.`,
      ),
    );
  }
  return diagnostics;
}

export const trustPolicyResource: ResourceDefinition<KeywardContext> = {
  typeName: "keyward_trust_policy",
  schema: {
    description:
      "A trust policy: an OIDC ID token from `issuer` with audience `audience` and every claim in `claims` may be exchanged (`POST /v1/tokens/exchange`) for a management token with `scopes` and the policy's binding, living `ttl`. Lets a GitHub Actions workflow use Keyward with no stored token.",
    attributes: {
      id: { type: cty.string, computed: true, description: "The policy name." },
      name: { type: cty.string, required: true, requiresReplace: true, description: "Policy name: a letter or digit, then letters, digits or `_`, `.`, `-`." },
      issuer: { type: cty.string, required: true, description: `The OIDC issuer, exactly as the ID token's \`iss\` (GitHub Actions: \`${GITHUB_ACTIONS_ISSUER}\`). The key service must trust it (\`--oidc-issuer\`).` },
      audience: { type: cty.string, required: true, description: "The `aud` the ID token must carry: the action's `audience` input, by default the key service URL." },
      claims: {
        type: cty.map(cty.string),
        required: true,
        description: "Claims the ID token must carry, each exactly equal, e.g. `{ repository_id = \"123456\", ref = \"refs/heads/main\" }`. At least one of `repository_id`, `repository_owner_id` or `sub`.",
      },
      scopes: { type: cty.set(cty.string), required: true, description: `Management scopes of the minted tokens; the provider's token must hold each: ${managementScopes.map((scope) => `\`${scope}\``).join(", ")}.` },
      project: { type: cty.string, optional: true, computed: true, description: "Bind minted tokens to one project (default: the provider token's binding)." },
      environment: { type: cty.string, optional: true, computed: true, description: "Bind minted tokens to `test` or `live` (default: the provider token's binding)." },
      ttl: { type: cty.string, optional: true, computed: true, description: "Lifetime of minted tokens, at most `1h` (default `15m`); never longer than the ID token's own." },
      created_at: { type: cty.string, computed: true, description: "When the policy was created (RFC 3339)." },
    },
  },

  validate(config) {
    return [
      ...check(config, ["name"], rules.keyName),
      ...check(config, ["issuer"], issuerUrl),
      ...checkClaims(config),
      ...checkEach(config, ["scopes"], managementScope),
      ...check(config, ["project"], rules.projectName),
      ...check(config, ["environment"], rules.environment),
      ...check(config, ["ttl"], ttl),
    ];
  },

  async create({ client }, { planned }) {
    return putPolicy(client.keyward, planned);
  },

  async read({ client }, state) {
    const name = (state.id ?? state.name) as string;
    const policy = await request(`read trust policy "${name}"`, () => unlessNotFound(() => client.keyward.trustPolicies.get(name)));
    return policy ? policyState(policy, state) : null;
  },

  async update({ client }, { planned }) {
    return putPolicy(client.keyward, planned);
  },

  async delete({ client }, prior) {
    const name = prior.id as string;
    await request(`delete trust policy "${name}"`, () => unlessNotFound(() => client.keyward.trustPolicies.delete(name)));
  },

  async importState(_context, id) {
    return { id };
  },
};

async function putPolicy(keyward: Keyward, planned: ObjectValue): Promise<ObjectValue> {
  const name = planned.name as string;
  const params: PutTrustPolicyParams = {
    issuer: planned.issuer as string,
    audience: planned.audience as string,
    claims: planned.claims as Record<string, string>,
    scopes: planned.scopes as PutTrustPolicyParams["scopes"],
    ...(typeof planned.project === "string" ? { project: planned.project } : {}),
    ...(planned.environment === "test" || planned.environment === "live" ? { environment: planned.environment } : {}),
    ...(typeof planned.ttl === "string" ? { ttl: planned.ttl } : {}),
  };
  const { policy } = await request(`put trust policy "${name}"`, () => keyward.trustPolicies.put(name, params));
  return policyState(policy, planned);
}

/** The policy as state; a TTL spelled differently but equal (`900s` for `15m`) keeps its spelling. */
function policyState(policy: TrustPolicy, previous: ObjectValue): ObjectValue {
  const spelled = typeof previous.ttl === "string" && parseDuration(previous.ttl) === parseDuration(policy.ttl) ? previous.ttl : policy.ttl;
  return {
    id: policy.name,
    name: policy.name,
    issuer: policy.issuer,
    audience: policy.audience,
    claims: { ...policy.claims },
    scopes: [...policy.scopes],
    project: policy.project,
    environment: policy.environment,
    ttl: spelled,
    created_at: policy.created_at,
  };
}
