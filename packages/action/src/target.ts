import { parse as parseYaml } from "yaml";
import { InputError } from "./action-error";
import { describeDestination, type SecretApp, type SecretDestination } from "@keyward/github-secrets";
import { type KeyReference, parseKeyReference } from "./key-reference";

/** One item of the `targets` input: which key's secret goes into which GitHub secret. */
export interface Target {
  readonly key: KeyReference;
  /** As GitHub stores it: upper-case. */
  readonly secret: string;
  readonly destination: SecretDestination;
}

const FIELDS = ["key", "secret", "repository", "environment", "org", "visibility", "selected-repositories", "app"] as const;
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const EXAMPLE = "a YAML list such as\n  - key: billing-api/live/ci-deployer\n    secret: BILLING_API_KEY";

/**
 * Parses the `targets` input. `currentRepository` (`GITHUB_REPOSITORY`) is the default repository.
 * Every rule GitHub would enforce on the write is checked here, so a mistake fails the step before
 * any key is rotated.
 */
export function parseTargets(text: string, currentRepository: string | undefined): Target[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new InputError("targets", `not valid YAML (${firstLine((error as Error).message)}). Expected ${EXAMPLE}`);
  }
  if (!Array.isArray(document) || document.length === 0) {
    throw new InputError("targets", `expected ${EXAMPLE}; got ${describeValue(document)}`);
  }
  const targets = document.map((item, index) => parseTarget(item, index, currentRepository));
  rejectDuplicates(targets);
  return targets;
}

function parseTarget(item: unknown, index: number, currentRepository: string | undefined): Target {
  const where = `targets[${index}]`;
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    throw new InputError("targets", `${where} must be a mapping with 'key' and 'secret'; got ${describeValue(item)}`);
  }
  const fields = item as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((field) => !(FIELDS as readonly string[]).includes(field));
  if (unknown.length > 0) {
    throw new InputError("targets", `${where} has unknown field '${unknown[0]}'. Expected only ${FIELDS.join(", ")}`);
  }
  const keyText = requireText(fields, "key", where);
  const key = parseKeyReference(keyText);
  if (typeof key === "string") throw new InputError("targets", `${where}.key: ${key}`);
  return { key, secret: parseSecretName(requireText(fields, "secret", where), where), destination: parseDestination(fields, where, currentRepository) };
}

function parseSecretName(name: string, where: string): string {
  if (!SECRET_NAME.test(name)) {
    throw new InputError("targets", `${where}.secret '${name}' is not a GitHub secret name. Expected letters, digits and '_', not starting with a digit`);
  }
  if (name.toUpperCase().startsWith("GITHUB_")) {
    throw new InputError("targets", `${where}.secret '${name}' starts with GITHUB_, which GitHub reserves. Choose another name`);
  }
  return name.toUpperCase();
}

function parseDestination(fields: Record<string, unknown>, where: string, currentRepository: string | undefined): SecretDestination {
  const app = parseApp(optionalText(fields, "app", where), where);
  const org = optionalText(fields, "org", where);
  if (org !== undefined) return parseOrganizationDestination(fields, where, org, app);
  for (const field of ["visibility", "selected-repositories"] as const) {
    if (fields[field] !== undefined) throw new InputError("targets", `${where}.${field} applies only to organization secrets. Add 'org' or remove '${field}'`);
  }
  const repository = optionalText(fields, "repository", where) ?? currentRepository;
  if (repository === undefined) {
    throw new InputError("targets", `${where} names no repository and GITHUB_REPOSITORY is not set. Add 'repository: owner/name'`);
  }
  if (!REPOSITORY.test(repository)) throw new InputError("targets", `${where}.repository '${repository}' is not owner/name`);
  const environment = optionalText(fields, "environment", where);
  if (environment === undefined) return { kind: "repository", repository, app };
  if (app === "dependabot") throw new InputError("targets", `${where}: Dependabot has no environment secrets. Remove 'environment' or 'app: dependabot'`);
  return { kind: "environment", repository, environment };
}

function parseOrganizationDestination(fields: Record<string, unknown>, where: string, org: string, app: SecretApp): SecretDestination {
  if (!OWNER.test(org)) throw new InputError("targets", `${where}.org '${org}' is not a GitHub organization name`);
  for (const field of ["repository", "environment"] as const) {
    if (fields[field] !== undefined) throw new InputError("targets", `${where} sets both 'org' and '${field}'. An organization secret has no ${field}`);
  }
  const visibility = optionalText(fields, "visibility", where) ?? "private";
  if (visibility !== "all" && visibility !== "private" && visibility !== "selected") {
    throw new InputError("targets", `${where}.visibility '${visibility}' is not one of all, private, selected`);
  }
  const selectedRepositories = parseRepositoryList(fields["selected-repositories"], where, org);
  if (visibility === "selected" && selectedRepositories.length === 0) {
    throw new InputError("targets", `${where}.visibility is 'selected' but 'selected-repositories' lists no repository. List them as owner/name or name`);
  }
  if (visibility !== "selected" && selectedRepositories.length > 0) {
    throw new InputError("targets", `${where}.selected-repositories needs 'visibility: selected'; visibility is '${visibility}'`);
  }
  return { kind: "organization", org, app, visibility, selectedRepositories };
}

function parseRepositoryList(value: unknown, where: string, org: string): string[] {
  if (value === undefined || value === null) return [];
  const items = typeof value === "string" ? value.split(",").map((part) => part.trim()).filter(Boolean) : value;
  if (!Array.isArray(items) || !items.every((entry) => typeof entry === "string")) {
    throw new InputError("targets", `${where}.selected-repositories must be a list of repository names; got ${describeValue(value)}`);
  }
  return items.map((entry: string) => {
    const fullName = entry.includes("/") ? entry : `${org}/${entry}`;
    if (!REPOSITORY.test(fullName)) throw new InputError("targets", `${where}.selected-repositories entry '${entry}' is not owner/name or name`);
    if (fullName.split("/")[0]!.toLowerCase() !== org.toLowerCase()) {
      throw new InputError("targets", `${where}.selected-repositories entry '${entry}' is not in organization ${org}`);
    }
    return fullName;
  });
}

function parseApp(app: string | undefined, where: string): SecretApp {
  if (app === undefined || app === "actions") return "actions";
  if (app === "dependabot") return "dependabot";
  throw new InputError("targets", `${where}.app '${app}' is not 'actions' or 'dependabot'`);
}

function rejectDuplicates(targets: readonly Target[]): void {
  const seen = new Map<string, number>();
  targets.forEach((target, index) => {
    const id = `${describeDestination(target.destination)}#${target.secret}`;
    const first = seen.get(id);
    if (first !== undefined) {
      throw new InputError("targets", `targets[${index}] writes ${target.secret} to ${describeDestination(target.destination)}, as targets[${first}] does. Each secret may have one key`);
    }
    seen.set(id, index);
  });
}

function requireText(fields: Record<string, unknown>, field: string, where: string): string {
  const value = optionalText(fields, field, where);
  if (value === undefined) throw new InputError("targets", `${where} has no '${field}'. Expected ${EXAMPLE}`);
  return value;
}

function optionalText(fields: Record<string, unknown>, field: string, where: string): string | undefined {
  const value = fields[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    throw new InputError("targets", `${where}.${field} must be a non-empty string; got ${describeValue(value)}`);
  }
  return value.trim();
}

function describeValue(value: unknown): string {
  if (value === undefined || value === null) return "nothing";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object") return "a mapping";
  return `'${String(value)}'`;
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? "";
}
