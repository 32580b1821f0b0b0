import type { Project } from "@keyward/client";
import { check, rules } from "../configuration-rules";
import { cty, Diagnostics, type ObjectValue, type ResourceDefinition, valuesEqual } from "@keyward/terraform-plugin";
import type { KeywardContext } from "../provider-context";
import { request, unlessNotFound } from "../request-failure";

/** `keyward_project`: a tenant namespace. Imported by name. */
export const projectResource: ResourceDefinition<KeywardContext> = {
  typeName: "keyward_project",
  schema: {
    description: "A project: the namespace that holds a scope catalog, API keys and management tokens. Deleting it erases all of them.",
    attributes: {
      id: { type: cty.string, computed: true, description: "The project name." },
      name: {
        type: cty.string,
        required: true,
        requiresReplace: true,
        description: "Project name: 2-63 characters, a lowercase letter then lowercase letters, digits or `-`.",
      },
      description: {
        type: cty.string,
        optional: true,
        description: "What the project is for. The key service keeps it as given at creation.",
      },
      created_at: { type: cty.string, computed: true, description: "When the project was created (RFC 3339)." },
    },
  },

  validate(config) {
    return check(config, ["name"], rules.projectName);
  },

  async plan(_context, { prior, planned }) {
    // The API has no update for a project; replacing one would erase its keys, so refuse instead.
    if (!prior || valuesEqual(prior.description ?? null, planned.description ?? null)) return;
    return {
      diagnostics: [
        Diagnostics.invalidAttribute(
          ["description"],
          "The key service cannot change the description of an existing project, and replacing the project would erase its keys. Keep the description as it was.",
        ),
      ],
    };
  },

  async create({ client }, { planned }) {
    const name = planned.name as string;
    const description = planned.description as string | null;
    const project = await request(`create project "${name}"`, () => client.keyward.projects.create({ name, ...(description !== null ? { description } : {}) }));
    return projectState(project);
  },

  async read({ client }, state) {
    const name = (state.id ?? state.name) as string;
    const project = await request(`read project "${name}"`, () => unlessNotFound(() => client.keyward.projects.get(name)));
    return project ? projectState(project) : null;
  },

  async update(_context, { planned }) {
    return planned;
  },

  async delete({ client }, prior) {
    const name = prior.id as string;
    await request(`delete project "${name}"`, () => unlessNotFound(() => client.keyward.projects.delete(name)));
  },

  async importState(_context, id) {
    return { id };
  },
};

function projectState(project: Project): ObjectValue {
  return { id: project.name, name: project.name, description: project.description, created_at: project.created_at };
}
