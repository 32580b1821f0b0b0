/**
 * Where a GitHub secret lives. Each location has its own sealed-box key pair, as on GitHub: a
 * repository's Actions secrets, its Dependabot secrets, each of its environments, and an
 * organization's Actions and Dependabot secrets.
 */
export type SecretApp = "actions" | "dependabot";

export type SecretLocation =
  | { readonly kind: "repository"; readonly repository: string; readonly app?: SecretApp }
  | { readonly kind: "environment"; readonly repository: string; readonly environment: string }
  | { readonly kind: "organization"; readonly org: string; readonly app?: SecretApp };

/**
 * The fine-grained permission a token needs to write secrets at a location (GitHub REST docs,
 * "Create or update … secret": repository `secrets`; environment `secrets` + `environments`;
 * Dependabot `dependabot_secrets`; organization `organization_secrets` /
 * `organization_dependabot_secrets`).
 */
export type GitHubPermission =
  | "metadata"
  | "secrets"
  | "environments"
  | "dependabot_secrets"
  | "organization_secrets"
  | "organization_dependabot_secrets"
  | "issues"
  | "pull_requests";

export function requiredPermissions(location: SecretLocation): readonly GitHubPermission[] {
  switch (location.kind) {
    case "repository":
      return [location.app === "dependabot" ? "dependabot_secrets" : "secrets"];
    case "environment":
      return ["secrets", "environments"];
    case "organization":
      return [location.app === "dependabot" ? "organization_dependabot_secrets" : "organization_secrets"];
  }
}

/** A stable map key; repository and organization names are case-insensitive on GitHub. */
export function locationKey(location: SecretLocation): string {
  switch (location.kind) {
    case "repository":
      return `repo:${location.repository.toLowerCase()}:${location.app ?? "actions"}`;
    case "environment":
      return `env:${location.repository.toLowerCase()}:${location.environment}`;
    case "organization":
      return `org:${location.org.toLowerCase()}:${location.app ?? "actions"}`;
  }
}

export function describeLocation(location: SecretLocation): string {
  switch (location.kind) {
    case "repository":
      return `${location.app === "dependabot" ? "Dependabot" : "Actions"} secrets of ${location.repository}`;
    case "environment":
      return `environment ${location.environment} of ${location.repository}`;
    case "organization":
      return `${location.app === "dependabot" ? "Dependabot" : "Actions"} secrets of organization ${location.org}`;
  }
}
