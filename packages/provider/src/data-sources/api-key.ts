import type { ApiKey } from "@keyward/client";
import { apiKeyComputedAttributes, apiKeyValues } from "../api-key-attributes";
import { check, rules } from "../configuration-rules";
import { cty, type DataSourceDefinition, DiagnosticError, Diagnostics, isUnknown, type ObjectValue } from "@keyward/terraform-plugin";
import type { KeywardContext } from "../provider-context";
import { request, unlessNotFound } from "../request-failure";

/** `data "keyward_api_key"`: a key by id, or by project + environment + name. Never its secret. */
const lookup = ["project", "environment", "name"] as const;

export const apiKeyDataSource: DataSourceDefinition<KeywardContext> = {
  typeName: "keyward_api_key",
  schema: {
    description: "Reads an API key (never its secret) by `id`, or by `project`, `environment` and `name`.",
    attributes: {
      id: { type: cty.string, optional: true, computed: true, description: "Key id. Give this, or project, environment and name." },
      project: { type: cty.string, optional: true, computed: true, description: "Project name." },
      environment: { type: cty.string, optional: true, computed: true, description: "`test` or `live`." },
      name: { type: cty.string, optional: true, computed: true, description: "Key name." },
      scopes: { type: cty.set(cty.string), computed: true, description: "Scopes the key holds." },
      expires_at: { type: cty.string, computed: true, description: "Expiry (RFC 3339), or null." },
      rotation: {
        computed: true,
        description: "Rotation schedule, or null.",
        attributes: {
          every: { type: cty.string, computed: true, description: "Rotation period." },
          grace_period: { type: cty.string, computed: true, description: "Overlap of the previous secret after a rotation." },
          grace_starts: { type: cty.string, computed: true, description: "`immediately` or `on_first_use` (null means immediately)." },
        },
      },
      ip_allowlist: { type: cty.list(cty.string), computed: true, description: "CIDR blocks the key may be used from, or null." },
      rate_limit: {
        computed: true,
        description: "Verification rate limit, or null.",
        attributes: {
          requests: { type: cty.number, computed: true, description: "Requests per window." },
          window: { type: cty.string, computed: true, description: "Window length." },
        },
      },
      metadata: { type: cty.map(cty.string), computed: true, description: "Metadata entries." },
      ...apiKeyComputedAttributes,
    },
  },

  validate(config) {
    const byName = lookup.filter((attribute) => config[attribute] !== null);
    const diagnostics = [...check(config, ["project"], rules.projectName), ...check(config, ["environment"], rules.environment)];
    if (config.id === null && byName.length < lookup.length) {
      diagnostics.push(Diagnostics.missingAttribute(["id"], "Give the key's id, or all of project, environment and name."));
    }
    if (config.id !== null && byName.length > 0) {
      diagnostics.push(Diagnostics.invalidAttribute(["id"], "Give either id, or project, environment and name, not both."));
    }
    return diagnostics;
  },

  async read({ client }, config) {
    const key = typeof config.id === "string" ? await byId(client.keyward, config.id) : await byName(client.keyward, config);
    return apiKeyValues(key);
  },
};

async function byId(keyward: KeywardContext["keyward"], id: string): Promise<ApiKey> {
  const key = await request(`read key ${id}`, () => unlessNotFound(() => keyward.keys.get(id)));
  if (!key) throw new DiagnosticError([Diagnostics.invalidAttribute(["id"], `No key has id "${id}".`)]);
  return key;
}

async function byName(keyward: KeywardContext["keyward"], config: ObjectValue): Promise<ApiKey> {
  if (lookup.some((attribute) => isUnknown(config[attribute]))) {
    throw new DiagnosticError([Diagnostics.unsupported("Lookup not known yet", "project, environment and name must be known to read the key.")]);
  }
  const [project, environment, name] = [config.project as string, config.environment as "test" | "live", config.name as string];
  const keys = await request(`find key "${name}" in ${project}/${environment}`, () => keyward.keys.list({ project, environment, name }).toArray());
  const key = keys.find((candidate) => candidate.name === name && candidate.status !== "revoked") ?? keys.find((candidate) => candidate.name === name);
  if (!key) throw new DiagnosticError([Diagnostics.invalidAttribute(["name"], `No key named "${name}" in project "${project}", environment "${environment}".`)]);
  return key;
}
