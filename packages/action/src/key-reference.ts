import { environments, KEY_ID_PATTERN, KEY_NAME_PATTERN, PROJECT_NAME_PATTERN, type Environment } from "@keyward/contract";

/** How a target names its Keyward key: by id, or by `project/environment/name` (SPEC §7). */
export type KeyReference =
  | { readonly kind: "id"; readonly id: string }
  | { readonly kind: "name"; readonly project: string; readonly environment: Environment; readonly name: string };

export const KEY_REFERENCE_EXPECTED = "a key id (key_ and 20 letters or digits) or project/environment/name such as billing-api/live/ci-deployer";

/** The parsed reference, or a sentence saying what is wrong with `text`. */
export function parseKeyReference(text: string): KeyReference | string {
  if (KEY_ID_PATTERN.test(text)) return { kind: "id", id: text };
  const parts = text.split("/");
  if (parts.length !== 3) return `'${text}' is not ${KEY_REFERENCE_EXPECTED}`;
  const [project, environment, name] = parts as [string, string, string];
  if (!PROJECT_NAME_PATTERN.test(project)) return `project '${project}' in '${text}' must be a lowercase letter, then lowercase letters, digits or '-'`;
  if (!(environments as readonly string[]).includes(environment)) return `environment '${environment}' in '${text}' must be 'test' or 'live'`;
  if (!KEY_NAME_PATTERN.test(name)) return `key name '${name}' in '${text}' must be a letter or digit, then letters, digits or '_', '.', '-'`;
  return { kind: "name", project, environment: environment as Environment, name };
}

export function formatKeyReference(reference: KeyReference): string {
  return reference.kind === "id" ? reference.id : `${reference.project}/${reference.environment}/${reference.name}`;
}
