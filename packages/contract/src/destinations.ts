import { z } from "zod";

/**
 * Where a key's secret is delivered (SPEC §13): GitHub Actions or Dependabot secrets of a
 * repository, of one of its environments, or of an organization. The key service stores these
 * locations and names, never a value; the provider and the action write the secret there whenever
 * they issue one.
 */

/** GitHub's secret-name rules: letters, digits and `_`, not starting with a digit or `GITHUB_`. */
export const GITHUB_SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `owner/repo`, as GitHub spells repository full names. */
export const GITHUB_REPOSITORY_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
/** GitHub organization logins: a letter or digit, then up to 38 letters, digits or `-`. */
export const GITHUB_ORG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/;
/** Our own bound on a secret name's length (GitHub stores names, not a documented maximum). */
export const GITHUB_SECRET_NAME_MAX = 255;
export const MAX_DESTINATIONS = 20;

export const GitHubSecretName = z
  .string()
  .max(GITHUB_SECRET_NAME_MAX, { error: `must be at most ${GITHUB_SECRET_NAME_MAX} characters` })
  .regex(GITHUB_SECRET_NAME_PATTERN, { error: "must be a GitHub secret name: letters, digits and '_', not starting with a digit" })
  .refine((name) => !name.toUpperCase().startsWith("GITHUB_"), { error: "must not start with GITHUB_, which GitHub reserves" })
  .describe("GitHub secret name; GitHub stores it upper-case.");

export const GitHubRepository = z
  .string()
  .regex(GITHUB_REPOSITORY_PATTERN, { error: "must be a repository as owner/repo, e.g. acme/billing" })
  .describe("Repository full name, `owner/repo`.");

export const GitHubApp = z.enum(["actions", "dependabot"], { error: "must be 'actions' or 'dependabot'" });
export type GitHubApp = z.infer<typeof GitHubApp>;
export const GitHubSecretVisibility = z.enum(["all", "private", "selected"], { error: "must be 'all', 'private' or 'selected'" });
export type GitHubSecretVisibility = z.infer<typeof GitHubSecretVisibility>;

const EnvironmentName = z
  .string()
  .min(1, { error: "must not be empty" })
  .max(255, { error: "must be at most 255 characters" })
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]+$/, { error: "must not contain control characters" });

export const GitHubSecretDestination = z
  .strictObject({
    type: z.literal("github_secret").describe("`github_secret`: a repository or environment secret."),
    repository: GitHubRepository,
    environment: EnvironmentName.nullable().optional().describe("Deployment environment of the repository; the secret is then an environment secret."),
    name: GitHubSecretName,
    app: GitHubApp.default("actions").describe("`actions` (default) or `dependabot`."),
  })
  .refine((destination) => !(destination.environment && destination.app === "dependabot"), {
    error: "Dependabot has no environment secrets: remove environment or use app 'actions'",
    path: ["app"],
  })
  .describe("A repository secret, or an environment secret of that repository.");

export const GitHubOrgSecretDestination = z
  .strictObject({
    type: z.literal("github_org_secret").describe("`github_org_secret`: an organization secret."),
    org: z.string().regex(GITHUB_ORG_PATTERN, { error: "must be a GitHub organization name" }).describe("Organization login."),
    name: GitHubSecretName,
    visibility: GitHubSecretVisibility.describe("Which repositories of the organization may read the secret."),
    selected_repositories: z.array(GitHubRepository).max(100, { error: "must list at most 100 repositories" }).optional()
      .describe("With visibility `selected` only: the repositories (`owner/repo`) that may read it."),
    app: GitHubApp.default("actions").describe("`actions` (default) or `dependabot`."),
  })
  .refine((destination) => destination.visibility === "selected" || (destination.selected_repositories ?? []).length === 0, {
    error: "selected_repositories is allowed only with visibility 'selected'",
    path: ["selected_repositories"],
  })
  .refine((destination) => destination.visibility !== "selected" || (destination.selected_repositories ?? []).length > 0, {
    error: "visibility 'selected' needs at least one repository in selected_repositories",
    path: ["selected_repositories"],
  })
  .refine((destination) => (destination.selected_repositories ?? []).every((repository) => repository.split("/")[0]!.toLowerCase() === destination.org.toLowerCase()), {
    error: "selected_repositories must belong to the organization",
    path: ["selected_repositories"],
  })
  .describe("An organization secret.");

export const Destination = z
  .discriminatedUnion("type", [GitHubSecretDestination, GitHubOrgSecretDestination], { error: "type must be 'github_secret' or 'github_org_secret'" })
  .describe("Where the key's secret is delivered: a location and a name, never a value.");
export type Destination = z.infer<typeof Destination>;

/** The one identity of a destination: two destinations with the same one would overwrite each other. */
export function destinationIdentity(destination: Destination): string {
  if (destination.type === "github_org_secret") return `org:${destination.org.toLowerCase()}:${destination.app}:${destination.name.toUpperCase()}`;
  const place = destination.environment ? `env:${destination.environment}` : destination.app;
  return `repo:${destination.repository.toLowerCase()}:${place}:${destination.name.toUpperCase()}`;
}

/** `github acme/billing BILLING_API_KEY`, `github acme/billing (environment production) …`, `github org acme …`: for messages. */
export function describeDestination(destination: Destination): string {
  const app = destination.app === "dependabot" ? " (Dependabot)" : "";
  if (destination.type === "github_org_secret") return `GitHub org ${destination.org}${app} secret ${destination.name.toUpperCase()}`;
  const environment = destination.environment ? ` (environment ${destination.environment})` : "";
  return `GitHub ${destination.repository}${environment}${app} secret ${destination.name.toUpperCase()}`;
}

export const DestinationList = z
  .array(Destination)
  .max(MAX_DESTINATIONS, { error: `must hold at most ${MAX_DESTINATIONS} destinations` })
  .refine((destinations) => new Set(destinations.map(destinationIdentity)).size === destinations.length, {
    error: "must not name the same secret twice",
  })
  .describe("Where the key's secret is delivered whenever it is issued.");
