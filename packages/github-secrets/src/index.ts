// @keyward/github-secrets: GitHub Actions and Dependabot secrets as Keyward delivers them, shared by
// the Terraform provider (a key's destinations) and the GitHub Action (rotate mode).
export { connectOctokit, type GitHubConnection, GitHubRequestError, GitHubSecrets, GitHubSecretsError, type Octokit } from "./github-secrets";
export { type GitHubPublicKey, type SealedSecret, sealSecret } from "./sealed-box";
export { DeliveryError, SecretDelivery } from "./secret-delivery";
export { describeDestination, type SecretApp, type SecretDestination, type SecretWrite, secretWriteIdentity, secretWriteOf, type Visibility } from "./secret-destination";
