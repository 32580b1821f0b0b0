import { check, rules } from "../configuration-rules";
import { cty, type DataSourceDefinition } from "@keyward/terraform-plugin";
import type { KeywardContext } from "../provider-context";
import { request } from "../request-failure";

/** `data "keyward_scopes"`: a project's scope catalog. */
export const scopesDataSource: DataSourceDefinition<KeywardContext> = {
  typeName: "keyward_scopes",
  schema: {
    description: "Lists the scope catalog of a project.",
    attributes: {
      project: { type: cty.string, required: true, description: "Project name." },
      scopes: {
        type: cty.list(cty.object({ name: cty.string, description: cty.string })),
        computed: true,
        description: "The project's scopes, sorted by name, each with `name` and `description`.",
      },
    },
  },

  validate(config) {
    return check(config, ["project"], rules.projectName);
  },

  async read({ client }, config) {
    const project = config.project as string;
    const scopes = await request(`list the scopes of project "${project}"`, () => client.keyward.scopes.list(project).toArray());
    const sorted = [...scopes].sort((left, right) => left.name.localeCompare(right.name));
    return { project, scopes: sorted.map((scope) => ({ name: scope.name, description: scope.description })) };
  },
};
