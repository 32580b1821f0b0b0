import { Keyward } from "@keyward/client";
import { Secret } from "@keyward/contract";
import type { GitHubSecrets } from "@keyward/github-secrets";
import { secretEphemeralResource } from "./ephemeral/secret";
import { version } from "../package.json";
import { apiKeyDataSource } from "./data-sources/api-key";
import { loadGitHubSecrets } from "./github-secrets-loader";
import { KeyListing } from "./key-listing";
import { scopesDataSource } from "./data-sources/scopes";
import type { KeywardContext } from "./provider-context";
import { cty, DiagnosticError, Diagnostics, type Logger, type ObjectValue, type ProviderDefinition } from "@keyward/terraform-plugin";
import { apiKeyResource } from "./resources/api-key";
import { managementTokenResource } from "./resources/management-token";
import { projectResource } from "./resources/project";
import { projectPolicyResource } from "./resources/project-policy";
import { scopeResource } from "./resources/scope";
import { trustPolicyResource } from "./resources/trust-policy";
import { webhookResource } from "./resources/webhook";

/** `terraform-provider-keyward` (source `keyward/keyward`): SPEC §6. */
const DEFAULT_GITHUB_API_URL = "https://api.github.com";

function setting(config: ObjectValue, attribute: "endpoint" | "token" | "github_token" | "github_api_url", environment: NodeJS.ProcessEnv, variable: string): string | undefined {
  const configured = config[attribute];
  if (typeof configured === "string" && configured !== "") return configured;
  const fromEnvironment = environment[variable];
  return fromEnvironment && fromEnvironment !== "" ? fromEnvironment : undefined;
}

export const keywardProvider: ProviderDefinition<KeywardContext> = {
  name: "keyward",
  version,
  schema: {
    description:
      "Manage Keyward projects, scopes, API keys, management tokens and webhooks. Keys with `destination` blocks have their secret delivered to GitHub secrets and never stored in the Terraform state; `ephemeral \"keyward_secret\"` with `secret_wo` keeps it out of the state for any other secret store.",
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
      github_token: {
        type: cty.string,
        optional: true,
        sensitive: true,
        description:
          "GitHub token that writes the secrets of keys' `destination` blocks: a fine-grained token or GitHub App token with \"Secrets: write\" (\"Dependabot secrets\" for Dependabot, organization \"Secrets\" for org secrets). Defaults to the `GITHUB_TOKEN` environment variable; needed only when a key declares a destination.",
      },
      github_api_url: {
        type: cty.string,
        optional: true,
        description: "GitHub REST API URL (GitHub Enterprise Server: `https://HOST/api/v3`). Defaults to the `GITHUB_API_URL` environment variable, else `https://api.github.com`.",
      },
    },
  },
  async configure(config, environment, log) {
    const endpoint = setting(config, "endpoint", environment, "KEYWARD_URL");
    const token = setting(config, "token", environment, "KEYWARD_TOKEN");
    const missing = [
      ...(endpoint ? [] : [Diagnostics.missingAttribute(["endpoint"], "Set endpoint in the provider block, or the KEYWARD_URL environment variable, to the key service URL (e.g. http://127.0.0.1:8787).")]),
      ...(token ? [] : [Diagnostics.missingAttribute(["token"], "Set token in the provider block, or the KEYWARD_TOKEN environment variable, to a management token (kwm_…).")]),
    ];
    if (missing.length > 0) throw new DiagnosticError(missing);
    const github = await connectGitHub(config, environment, log);
    try {
      const keyward = new Keyward({ url: endpoint!, token: token! });
      return { keyward, github, plannedScopes: new Set<string>(), catalogs: new Map(), keyListing: new KeyListing(keyward) };
    } catch (error) {
      throw new DiagnosticError([Diagnostics.invalidAttribute(["endpoint"], error instanceof Error ? error.message : String(error))]);
    }
  },
  resources: [projectResource, scopeResource, apiKeyResource, managementTokenResource, trustPolicyResource, webhookResource, projectPolicyResource],
  dataSources: [apiKeyDataSource, scopesDataSource],
  ephemeralResources: [secretEphemeralResource],
};

async function connectGitHub(config: ObjectValue, environment: NodeJS.ProcessEnv, log: Logger): Promise<GitHubSecrets | undefined> {
  const token = setting(config, "github_token", environment, "GITHUB_TOKEN");
  if (!token) return undefined;
  const baseUrl = setting(config, "github_api_url", environment, "GITHUB_API_URL") ?? DEFAULT_GITHUB_API_URL;
  if (!URL.canParse(baseUrl)) {
    throw new DiagnosticError([Diagnostics.invalidAttribute(["github_api_url"], `${JSON.stringify(baseUrl)} is not a URL. Expected one such as https://api.github.com.`)]);
  }
  const { GitHubSecrets } = await loadGitHubSecrets();
  return GitHubSecrets.connect({
    token: new Secret(token),
    baseUrl,
    userAgent: `terraform-provider-keyward/${version}`,
    onWait: (message) => log.info(message),
    // Octokit's own diagnostics, first line only: they never hold a request body.
    debug: (message) => log.debug(message),
  });
}
