/**
 * `@keyward/github-secrets` (GitHub's client and libsodium) loaded at its first use: only keys with
 * `destination` blocks, and a provider with a GitHub token, need it. Loaded with the rest, it held
 * up every provider process that loads resources (Terraform's validate and plan launches) by the
 * time libsodium takes to start, some 35 ms of CPU each on a quiet machine (issue 14).
 */
type GitHubSecretsModule = typeof import("@keyward/github-secrets");

let loading: Promise<GitHubSecretsModule> | undefined;
let loaded: GitHubSecretsModule | undefined;

export function loadGitHubSecrets(): Promise<GitHubSecretsModule> {
  loading ??= import("@keyward/github-secrets").then((module) => (loaded = module));
  return loading;
}

/** The module if it has been loaded, e.g. to recognise its errors. */
export function loadedGitHubSecrets(): GitHubSecretsModule | undefined {
  return loaded;
}
