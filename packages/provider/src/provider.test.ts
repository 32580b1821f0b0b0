import { describe, expect, it } from "vitest";
import { loadedGitHubSecrets } from "./github-secrets-loader";
import { keywardProvider } from "./provider";
import { createLogger, DiagnosticError } from "@keyward/terraform-plugin";

const log = createLogger({ module: "test", level: "error", write: () => undefined });

describe("keyward provider configuration", () => {
  it("takes endpoint and token from the provider block first, then KEYWARD_URL and KEYWARD_TOKEN", async () => {
    const fromBlock = await keywardProvider.configure({ endpoint: "http://127.0.0.1:1", token: "kwm_block" }, { KEYWARD_URL: "http://ignored" }, log);
    expect(fromBlock.keyward).toBeDefined();
    const fromEnvironment = await keywardProvider.configure({ endpoint: null, token: null }, { KEYWARD_URL: "http://127.0.0.1:2", KEYWARD_TOKEN: "kwm_env" }, log);
    expect(fromEnvironment.plannedScopes.size).toBe(0);
  });

  it("names each missing setting and where to set it, without quoting the token", async () => {
    const failure = await keywardProvider.configure({ endpoint: null, token: null }, {}, log).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DiagnosticError);
    const diagnostics = (failure as DiagnosticError).diagnostics;
    expect(diagnostics.map((diagnostic) => diagnostic.attribute)).toEqual([["endpoint"], ["token"]]);
    expect(diagnostics[1]?.detail).toContain("KEYWARD_TOKEN");
  });

  it("refuses an endpoint that is not an http URL, naming the attribute", async () => {
    const failure = (await keywardProvider.configure({ endpoint: "ftp://x", token: "kwm_secret_value" }, {}, log).catch((error: unknown) => error)) as DiagnosticError;
    expect(failure.diagnostics[0]).toMatchObject({ summary: "Invalid endpoint" });
    expect(JSON.stringify(failure.diagnostics)).not.toContain("kwm_secret_value");
  });

  it("loads GitHub's client (and with it libsodium) only for a configuration with a GitHub token", async () => {
    const withoutGitHub = await keywardProvider.configure({ endpoint: "http://127.0.0.1:1", token: "kwm_block" }, {}, log);
    expect(withoutGitHub.github).toBeUndefined();
    expect(loadedGitHubSecrets()).toBeUndefined();
    const withGitHub = await keywardProvider.configure({ endpoint: "http://127.0.0.1:1", token: "kwm_block" }, { GITHUB_TOKEN: "ghp_test" }, log);
    expect(withGitHub.github).toBeDefined();
    expect(loadedGitHubSecrets()?.GitHubSecrets).toBeDefined();
  });

  it("names github_api_url when it is not a URL", async () => {
    const failure = (await keywardProvider.configure({ endpoint: "http://127.0.0.1:1", token: "kwm_block", github_token: "ghp_test", github_api_url: "not a url" }, {}, log).catch((error: unknown) => error)) as DiagnosticError;
    expect(failure).toBeInstanceOf(DiagnosticError);
    expect(failure.diagnostics[0]?.attribute).toEqual(["github_api_url"]);
  });

  it("declares the token sensitive and every type under the keyward_ prefix", () => {
    expect(keywardProvider.schema.attributes.token?.sensitive).toBe(true);
    const names = [...keywardProvider.resources, ...keywardProvider.dataSources].map((definition) => definition.typeName);
    expect(names).toEqual(["keyward_project", "keyward_scope", "keyward_api_key", "keyward_management_token", "keyward_trust_policy", "keyward_webhook", "keyward_project_policy", "keyward_api_key", "keyward_scopes"]);
  });
});
