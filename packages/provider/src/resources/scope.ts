import type { Keyward, Scope } from "@keyward/client";
import { check, rules } from "../configuration-rules";
import { cty, DiagnosticError, Diagnostics, type ObjectValue, type ResourceDefinition } from "@keyward/terraform-plugin";
import { scopeKey, type KeywardContext } from "../provider-context";
import { request, unlessNotFound } from "../request-failure";

/** `keyward_scope`: one permission in a project's catalog. Imported as `project/name`. */
export const scopeResource: ResourceDefinition<KeywardContext> = {
  typeName: "keyward_scope",
  schema: {
    description: "A scope: a named permission in a project's catalog (e.g. `invoices:read`). API keys may hold only scopes of their project's catalog.",
    attributes: {
      id: { type: cty.string, computed: true, description: "`project/name`." },
      project: { type: cty.string, required: true, requiresReplace: true, description: "Name of the project whose catalog holds the scope." },
      name: {
        type: cty.string,
        required: true,
        requiresReplace: true,
        description: "Scope name: 1-128 characters, a lowercase letter then lowercase letters, digits or `_ . : -`.",
      },
      description: { type: cty.string, optional: true, description: "What the scope allows." },
    },
  },

  validate(config) {
    return [...check(config, ["project"], rules.projectName), ...check(config, ["name"], rules.scopeName)];
  },

  async plan({ client }, { planned }) {
    if (typeof planned.project === "string" && typeof planned.name === "string") client.plannedScopes.add(scopeKey(planned.project, planned.name));
  },

  async create({ client }, { planned }) {
    return putScope(client.keyward, planned);
  },

  async read({ client }, state) {
    const { project, name } = scopeAddress(state);
    const found = await request(`read scope "${name}" of project "${project}"`, () => unlessNotFound(() => findScope(client.keyward, project, name)));
    return found ? scopeState(found) : null;
  },

  async update({ client }, { planned }) {
    return putScope(client.keyward, planned);
  },

  async delete({ client }, prior) {
    const { project, name } = scopeAddress(prior);
    await request(`delete scope "${name}" of project "${project}"`, () => unlessNotFound(() => client.keyward.scopes.delete(project, name)));
  },

  async importState(_context, id) {
    const separator = id.indexOf("/");
    if (separator <= 0 || separator === id.length - 1) {
      throw new DiagnosticError([Diagnostics.unsupported("Invalid import id", `"${id}" is not a scope address. Expected project/name, e.g. billing-api/invoices:read.`)]);
    }
    return { id, project: id.slice(0, separator), name: id.slice(separator + 1) };
  },
};

function scopeAddress(state: ObjectValue): { project: string; name: string } {
  return { project: state.project as string, name: state.name as string };
}

async function findScope(keyward: Keyward, project: string, name: string): Promise<Scope | undefined> {
  for await (const scope of keyward.scopes.list(project)) if (scope.name === name) return scope;
  return undefined;
}

async function putScope(keyward: Keyward, planned: ObjectValue): Promise<ObjectValue> {
  const { project, name } = scopeAddress(planned);
  // An empty description clears one that was set before.
  const description = (planned.description as string | null) ?? "";
  const { scope } = await request(`save scope "${name}" of project "${project}"`, () => keyward.scopes.put(project, name, { description }));
  return scopeState(scope);
}

function scopeState(scope: Scope): ObjectValue {
  return {
    id: scopeKey(scope.project, scope.name),
    project: scope.project,
    name: scope.name,
    description: scope.description === "" ? null : scope.description,
  };
}
