import type { Keyward } from "@keyward/client";
import type { GitHubSecrets } from "@keyward/github-secrets";
import type { KeyListing } from "./key-listing";

/**
 * What every resource and data source of this provider works with once Terraform configured it:
 * the API client, and what this provider process has learnt during the current command.
 */
export interface KeywardContext {
  readonly keyward: Keyward;
  /** Writes keys' secrets to their destinations; undefined when no GitHub token is configured. */
  readonly github: GitHubSecrets | undefined;
  /**
   * Scopes (`project/name`) planned by `keyward_scope` in this process. Terraform plans a scope
   * before the keys that reference it, in the same provider process, so a key may name a scope the
   * same apply creates; any other scope missing from the catalog is an error at plan time.
   */
  readonly plannedScopes: Set<string>;
  /**
   * Scope catalogs read during this process, by project: a plan of many keys asks once per project.
   * A scope this process plans is accepted through `plannedScopes`, so a catalog read before that
   * scope was created is never the reason a key is refused.
   */
  readonly catalogs: Map<string, Promise<ReadonlySet<string>>>;
  /** Keys read for a refresh: one listing per project environment, not one request per key. */
  readonly keyListing: KeyListing;
}

export function scopeKey(project: string, name: string): string {
  return `${project}/${name}`;
}
