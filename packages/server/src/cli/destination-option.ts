import type { Destination } from "@keyward/contract";
import { CliUsageError } from "./cli-usage-error";

/**
 * `--destination` (SPEC §13), a compact form of one destination; the key service checks the rules
 * (GitHub secret names, `owner/repo`, visibility) and names what is wrong:
 *   repo=acme/billing,name=BILLING_API_KEY[,environment=production][,app=dependabot]
 *   org=acme,name=BILLING_API_KEY,visibility=selected,repos=acme/web+acme/api[,app=dependabot]
 */
export const DESTINATION_EXAMPLE = "repo=OWNER/REPO,name=SECRET[,environment=ENV][,app=dependabot] or org=ORG,name=SECRET,visibility=all|private|selected[,repos=OWNER/REPO+…]";

const REPOSITORY_FIELDS = new Set(["repo", "name", "environment", "app"]);
const ORGANIZATION_FIELDS = new Set(["org", "name", "visibility", "repos", "app"]);

export function parseDestination(text: string): Destination {
  const fields = new Map<string, string>();
  for (const part of text.split(",")) {
    const cut = part.indexOf("=");
    const field = part.slice(0, cut).trim();
    if (cut <= 0 || fields.has(field)) throw invalid(text);
    fields.set(field, part.slice(cut + 1).trim());
  }
  const allowed = fields.has("org") ? ORGANIZATION_FIELDS : REPOSITORY_FIELDS;
  const unknown = [...fields.keys()].find((field) => !allowed.has(field));
  if (unknown !== undefined || !fields.has("name") || (!fields.has("org") && !fields.has("repo"))) throw invalid(text);
  const app = fields.get("app") as Destination["app"] | undefined;
  if (fields.has("org")) {
    const repositories = fields.get("repos")?.split("+").filter(Boolean);
    return {
      type: "github_org_secret",
      org: fields.get("org")!,
      name: fields.get("name")!,
      visibility: (fields.get("visibility") ?? "private") as "all" | "private" | "selected",
      ...(repositories ? { selected_repositories: repositories } : {}),
      ...(app ? { app } : { app: "actions" }),
    };
  }
  const environment = fields.get("environment");
  return { type: "github_secret", repository: fields.get("repo")!, name: fields.get("name")!, ...(environment ? { environment } : {}), ...(app ? { app } : { app: "actions" }) };
}

/** One line per destination, for the key's details. */
export function formatDestination(destination: Destination): string {
  const app = destination.app === "dependabot" ? ",app=dependabot" : "";
  if (destination.type === "github_org_secret") {
    const repositories = destination.selected_repositories?.length ? `,repos=${destination.selected_repositories.join("+")}` : "";
    return `org=${destination.org},name=${destination.name},visibility=${destination.visibility}${repositories}${app}`;
  }
  const environment = destination.environment ? `,environment=${destination.environment}` : "";
  return `repo=${destination.repository},name=${destination.name}${environment}${app}`;
}

function invalid(text: string): CliUsageError {
  return new CliUsageError(`Invalid --destination '${text}'. Expected ${DESTINATION_EXAMPLE}.`);
}
