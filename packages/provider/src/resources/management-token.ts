import { managementScopes, TOKEN_ID_PATTERN, type ManagementToken } from "@keyward/contract";
import type { Keyward } from "@keyward/client";
import { check, checkEach, rules, type Rule } from "../configuration-rules";
import { cty, DiagnosticError, Diagnostics, type ObjectValue, type ResourceDefinition, type Value } from "@keyward/terraform-plugin";
import type { KeywardContext } from "../provider-context";
import { request, unlessNotFound } from "../request-failure";

/**
 * `keyward_management_token`: a credential for the key service API itself (e.g. one with
 * `keys:read`, `keys:rotate` for the GitHub Action). The API cannot change a token, so every
 * setting replaces it.
 */
const managementScope: Rule = (value, path) =>
  (managementScopes as readonly string[]).includes(value)
    ? undefined
    : Diagnostics.invalidAttribute(path, `"${value}" is not a management scope. Expected one of ${managementScopes.join(", ")}.`);

export const managementTokenResource: ResourceDefinition<KeywardContext> = {
  typeName: "keyward_management_token",
  schema: {
    description: "A management token for the key service API, optionally bound to one project and/or environment. Its secret is shown once, as the sensitive `secret` attribute. Any change replaces the token.",
    attributes: {
      id: { type: cty.string, computed: true, description: "Token id (`tok_` and 20 letters or digits)." },
      name: { type: cty.string, required: true, requiresReplace: true, description: "Name of the token." },
      scopes: { type: cty.set(cty.string), required: true, requiresReplace: true, description: `Management scopes: ${managementScopes.map((scope) => `\`${scope}\``).join(", ")}.` },
      project: { type: cty.string, optional: true, requiresReplace: true, description: "Bind the token to one project." },
      environment: { type: cty.string, optional: true, requiresReplace: true, description: "Bind the token to one environment: `test` or `live`." },
      expires_at: { type: cty.string, optional: true, requiresReplace: true, description: "When the token stops working (RFC 3339)." },
      hint: { type: cty.string, computed: true, description: "Prefix and last 4 characters of the secret, safe to show." },
      created_at: { type: cty.string, computed: true, description: "When the token was created (RFC 3339)." },
      secret: { type: cty.string, computed: true, sensitive: true, description: "The token (`kwm_…`), known to the state that created it (null after import)." },
    },
  },

  validate(config) {
    return [
      ...check(config, ["name"], rules.keyName),
      ...checkEach(config, ["scopes"], managementScope),
      ...check(config, ["project"], rules.projectName),
      ...check(config, ["environment"], rules.environment),
      ...check(config, ["expires_at"], rules.timestamp),
    ];
  },

  async create({ client }, { planned }) {
    const name = planned.name as string;
    const created = await request(`create management token "${name}"`, () =>
      client.keyward.tokens.create({
        name,
        scopes: planned.scopes as (typeof managementScopes)[number][],
        ...(typeof planned.project === "string" ? { project: planned.project } : {}),
        ...(planned.environment === "test" || planned.environment === "live" ? { environment: planned.environment } : {}),
        ...(typeof planned.expires_at === "string" ? { expires_at: planned.expires_at } : {}),
      }),
    );
    return tokenState(created.token, created.secret.reveal());
  },

  async read({ client }, state) {
    const id = state.id as string;
    const token = await request(`read management token ${id}`, () => findToken(client.keyward, id));
    if (!token) return null;
    const fresh = tokenState(token, state.secret ?? null);
    // The API may add milliseconds to a time; keep the configured spelling of the same instant.
    if (typeof state.expires_at === "string" && typeof fresh.expires_at === "string" && Date.parse(state.expires_at) === Date.parse(fresh.expires_at)) {
      fresh.expires_at = state.expires_at;
    }
    return fresh;
  },

  async update(_context, { planned }) {
    return planned;
  },

  async delete({ client }, prior) {
    const id = prior.id as string;
    await request(`delete management token ${id}`, () => unlessNotFound(() => client.keyward.tokens.delete(id)));
  },

  async importState(_context, id) {
    if (!TOKEN_ID_PATTERN.test(id)) {
      throw new DiagnosticError([Diagnostics.unsupported("Invalid import id", `"${id}" is not a token id. Expected tok_ and 20 letters or digits.`)]);
    }
    return { id };
  },
};

async function findToken(keyward: Keyward, id: string): Promise<ManagementToken | undefined> {
  for await (const token of keyward.tokens.list()) if (token.id === id) return token;
  return undefined;
}

function tokenState(token: ManagementToken, secret: Value): ObjectValue {
  return {
    id: token.id,
    name: token.name,
    scopes: [...token.scopes],
    project: token.project,
    environment: token.environment,
    expires_at: token.expires_at,
    hint: token.hint,
    created_at: token.created_at,
    secret,
  };
}
