import { Keyward } from "@keyward/client";
import { version } from "../package.json";
import { apiKeyDataSource } from "./data-sources/apiKey";
import { scopesDataSource } from "./data-sources/scopes";
import type { KeywardContext } from "./providerContext";
import { cty, DiagnosticError, Diagnostics, type ObjectValue, type ProviderDefinition } from "@keyward/terraform-plugin";
import { apiKeyResource } from "./resources/apiKey";
import { managementTokenResource } from "./resources/managementToken";
import { projectResource } from "./resources/project";
import { scopeResource } from "./resources/scope";
import { trustPolicyResource } from "./resources/trustPolicy";
import { webhookResource } from "./resources/webhook";

/** `terraform-provider-keyward` (source `keyward/keyward`): SPEC §6. */
function setting(config: ObjectValue, attribute: "endpoint" | "token", environment: NodeJS.ProcessEnv, variable: string): string | undefined {
  const configured = config[attribute];
  if (typeof configured === "string" && configured !== "") return configured;
  const fromEnvironment = environment[variable];
  return fromEnvironment && fromEnvironment !== "" ? fromEnvironment : undefined;
}

export const keywardProvider: ProviderDefinition<KeywardContext> = {
  name: "keyward",
  version,
  schema: {
    description: "Manage Keyward projects, scopes, API keys, management tokens and webhooks.",
    attributes: {
      endpoint: {
        type: cty.string,
        optional: true,
        description: "URL of the key service, e.g. `http://127.0.0.1:8787`. Defaults to the `KEYWARD_URL` environment variable.",
      },
      token: {
        type: cty.string,
        optional: true,
        sensitive: true,
        description: "Management token (`kwm_…`) the provider acts with. Defaults to the `KEYWARD_TOKEN` environment variable.",
      },
    },
  },
  async configure(config, environment) {
    const endpoint = setting(config, "endpoint", environment, "KEYWARD_URL");
    const token = setting(config, "token", environment, "KEYWARD_TOKEN");
    const missing = [
      ...(endpoint ? [] : [Diagnostics.missingAttribute(["endpoint"], "Set endpoint in the provider block, or the KEYWARD_URL environment variable, to the key service URL (e.g. http://127.0.0.1:8787).")]),
      ...(token ? [] : [Diagnostics.missingAttribute(["token"], "Set token in the provider block, or the KEYWARD_TOKEN environment variable, to a management token (kwm_…).")]),
    ];
    if (missing.length > 0) throw new DiagnosticError(missing);
    try {
      return { keyward: new Keyward({ url: endpoint!, token: token! }), plannedScopes: new Set<string>(), catalogs: new Map() };
    } catch (error) {
      throw new DiagnosticError([Diagnostics.invalidAttribute(["endpoint"], error instanceof Error ? error.message : String(error))]);
    }
  },
  resources: [projectResource, scopeResource, apiKeyResource, managementTokenResource, trustPolicyResource, webhookResource],
  dataSources: [apiKeyDataSource, scopesDataSource],
};
