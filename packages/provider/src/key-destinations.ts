import { type Destination, Destination as DestinationSchema, describeDestination, destinationIdentity } from "@keyward/contract";
import { type AttributePath, type BlockSchema, cty, type Diagnostic, Diagnostics, isObjectValue, isWhollyKnown, type ObjectValue, type Value } from "@keyward/terraform-plugin";

/**
 * The `destination` blocks of `keyward_api_key` (SPEC §13): where the key's secret is delivered.
 * A block holds exactly one of `github_secret` (a repository or environment secret) or
 * `github_org_secret`. The key service stores them (locations and names, never values); the
 * provider writes the secret there whenever it issues one, and then keeps it out of the state.
 */
export const destinationBlock: BlockSchema = {
  description: "Where the key's secret is delivered whenever Terraform issues one. A key with a destination never has its secret in the state or plan.",
  attributes: {
    github_secret: {
      optional: true,
      description: "A GitHub Actions (or Dependabot) secret of a repository, or of one of its environments.",
      attributes: {
        repository: { type: cty.string, required: true, description: "Repository as `owner/repo`." },
        environment: { type: cty.string, optional: true, description: "Deployment environment: the secret is then an environment secret of the repository." },
        name: { type: cty.string, required: true, description: "Secret name: letters, digits and `_`, not starting with a digit or `GITHUB_` (GitHub stores it upper-case)." },
        app: { type: cty.string, optional: true, description: "`actions` (default) or `dependabot` (no environment secrets)." },
      },
    },
    github_org_secret: {
      optional: true,
      description: "A GitHub Actions (or Dependabot) secret of an organization.",
      attributes: {
        org: { type: cty.string, required: true, description: "Organization login." },
        name: { type: cty.string, required: true, description: "Secret name, as for `github_secret`." },
        visibility: { type: cty.string, required: true, description: "`all`, `private` or `selected`: which of the organization's repositories may read it." },
        selected_repositories: { type: cty.list(cty.string), optional: true, description: "With `visibility = \"selected\"` only: the repositories (`owner/repo`) that may read it." },
        app: { type: cty.string, optional: true, description: "`actions` (default) or `dependabot`." },
      },
    },
  },
};

const stripNulls = (object: ObjectValue) => Object.fromEntries(Object.entries(object).filter(([, value]) => value !== null));

/** One block as the API's destination (unvalidated), or undefined when it holds neither kind. */
function apiFormOf(block: ObjectValue): unknown {
  if (isObjectValue(block.github_secret ?? null)) return { type: "github_secret", ...stripNulls(block.github_secret as ObjectValue) };
  if (isObjectValue(block.github_org_secret ?? null)) return { type: "github_org_secret", ...stripNulls(block.github_org_secret as ObjectValue) };
  return undefined;
}

function blocksOf(config: ObjectValue): Value[] {
  return Array.isArray(config.destination) ? config.destination : [];
}

/** Plan-time checks with the contract's rules, each pointing at the attribute in the block. */
export function checkDestinations(config: ObjectValue): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const seen = new Map<string, number>();
  blocksOf(config).forEach((block, index) => {
    const path: AttributePath = ["destination", index];
    if (!isObjectValue(block) || !isWhollyKnown(block)) return;
    const both = isObjectValue(block.github_secret ?? null) && isObjectValue(block.github_org_secret ?? null);
    const form = apiFormOf(block);
    if (both || form === undefined) {
      diagnostics.push(Diagnostics.invalidAttribute(path, "A destination block needs exactly one of github_secret = { … } or github_org_secret = { … }."));
      return;
    }
    const kind = (form as { type: string }).type;
    const parsed = DestinationSchema.safeParse(form);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.filter((step): step is string => typeof step === "string");
        diagnostics.push(Diagnostics.invalidAttribute([...path, kind, ...field], `${field.at(-1) ?? kind} ${issue.message}.`));
      }
      return;
    }
    const identity = destinationIdentity(parsed.data);
    const first = seen.get(identity);
    if (first !== undefined) diagnostics.push(Diagnostics.invalidAttribute(path, `It names the same secret as destination ${first}: ${describeDestination(parsed.data)}. Each secret may be written by one key.`));
    seen.set(identity, index);
  });
  return diagnostics;
}

/** The configured destinations for the API, once validated (invalid ones were refused at plan time). */
export function destinationsOf(planned: ObjectValue): Destination[] {
  return blocksOf(planned).flatMap((block) => {
    if (!isObjectValue(block)) return [];
    const parsed = DestinationSchema.safeParse(apiFormOf(block));
    return parsed.success ? [parsed.data] : [];
  });
}

/** True when the configuration declares at least one destination (known or not yet known). */
export function declaresDestinations(config: ObjectValue): boolean {
  return blocksOf(config).length > 0;
}

/** A destination from the API as a `destination` block value. */
export function destinationBlockValue(destination: Destination): ObjectValue {
  if (destination.type === "github_org_secret") {
    return {
      github_secret: null,
      github_org_secret: {
        org: destination.org,
        name: destination.name,
        visibility: destination.visibility,
        selected_repositories: destination.selected_repositories ? [...destination.selected_repositories] : null,
        app: destination.app,
      },
    };
  }
  return {
    github_secret: { repository: destination.repository, environment: destination.environment ?? null, name: destination.name, app: destination.app },
    github_org_secret: null,
  };
}

/** Two block lists that name the same destinations in the same order, whatever the spelling of defaults. */
export function sameDestinations(left: Value | undefined, right: Value | undefined): boolean {
  const identities = (value: Value | undefined) => (Array.isArray(value) ? value.map((block) => (isObjectValue(block) ? apiIdentity(block) : undefined)) : []);
  const [a, b] = [identities(left), identities(right)];
  return a.length === b.length && a.every((identity, index) => identity !== undefined && identity === b[index]);
}

function apiIdentity(block: ObjectValue): string | undefined {
  const parsed = DestinationSchema.safeParse(apiFormOf(block));
  if (!parsed.success) return undefined;
  const destination = parsed.data;
  const extra = destination.type === "github_org_secret" ? `:${destination.visibility}:${(destination.selected_repositories ?? []).join(",")}` : "";
  return destinationIdentity(destination) + extra;
}

/** Destinations of `after` that `before` does not have: where the secret would newly be delivered. */
export function addedDestinations(before: Value | undefined, after: ObjectValue): Destination[] {
  const known = new Set(destinationsOf({ destination: before ?? [] }).map(destinationIdentity));
  return destinationsOf(after).filter((destination) => !known.has(destinationIdentity(destination)));
}
