import type { Destination } from "@keyward/contract";

export type SecretApp = "actions" | "dependabot";
export type Visibility = "all" | "private" | "selected";

/** Where one secret is written (GitHub REST: repository, environment or organization secrets). */
export type SecretDestination =
  | { readonly kind: "repository"; readonly repository: string; readonly app: SecretApp }
  | { readonly kind: "environment"; readonly repository: string; readonly environment: string }
  | {
      readonly kind: "organization";
      readonly org: string;
      readonly app: SecretApp;
      readonly visibility: Visibility;
      /** `owner/name` of each repository that may read a `selected` secret. */
      readonly selectedRepositories: readonly string[];
    };

/** One GitHub secret to write: a place and a name (as GitHub stores it: upper-case). */
export interface SecretWrite {
  readonly destination: SecretDestination;
  readonly name: string;
}

/** A key's declared destination (the contract's `Destination`) as the GitHub place it names. */
export function secretWriteOf(destination: Destination): SecretWrite {
  const name = destination.name.toUpperCase();
  if (destination.type === "github_org_secret") {
    return {
      name,
      destination: {
        kind: "organization",
        org: destination.org,
        app: destination.app,
        visibility: destination.visibility,
        selectedRepositories: destination.selected_repositories ?? [],
      },
    };
  }
  if (destination.environment) return { name, destination: { kind: "environment", repository: destination.repository, environment: destination.environment } };
  return { name, destination: { kind: "repository", repository: destination.repository, app: destination.app } };
}

/** `acme/api`, `acme/api (environment production)`, `org acme (Dependabot)`: for messages and summaries. */
export function describeDestination(destination: SecretDestination): string {
  const app = (value: SecretApp) => (value === "dependabot" ? " (Dependabot)" : "");
  switch (destination.kind) {
    case "repository":
      return `${destination.repository}${app(destination.app)}`;
    case "environment":
      return `${destination.repository} (environment ${destination.environment})`;
    case "organization":
      return `org ${destination.org}${app(destination.app)}`;
  }
}

/** One identity per GitHub secret, so two writes to the same one are caught. */
export function secretWriteIdentity(write: SecretWrite): string {
  return `${describeDestination(write.destination).toLowerCase()}#${write.name}`;
}
