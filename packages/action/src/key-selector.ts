import type { ApiKey, Keyward } from "@keyward/client";
import { environments, type Environment, PROJECT_NAME_PATTERN } from "@keyward/contract";
import { parse as parseYaml } from "yaml";
import { ActionError, InputError } from "./action-error";
import { formatKeyReference, KEY_REFERENCE_EXPECTED, type KeyReference, parseKeyReference } from "./key-reference";
import { resolveKey } from "./key-resolver";

/**
 * One item of the `keys` input (SPEC §13): a key reference, or `project/environment/*` for every
 * active key of a project's environment. The selected keys are rotated into their declared
 * destinations.
 */
export type KeySelector = KeyReference | { readonly kind: "pattern"; readonly project: string; readonly environment: Environment };

const EXAMPLE = "a YAML list such as\n  - billing-api/live/*\n  - billing-api/test/ci-deployer";

export function parseKeySelectors(text: string): KeySelector[] {
  if (text.trim() === "") return [];
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch {
    throw new InputError("keys", `not valid YAML. Expected ${EXAMPLE}`);
  }
  const items = typeof document === "string" ? [document] : document;
  if (!Array.isArray(items) || items.length === 0 || !items.every((item) => typeof item === "string")) {
    throw new InputError("keys", `expected ${EXAMPLE}`);
  }
  return items.map((item: string, index) => parseKeySelector(item.trim(), index));
}

function parseKeySelector(text: string, index: number): KeySelector {
  const parts = text.split("/");
  if (parts.length === 3 && parts[2] === "*") {
    const [project, environment] = parts as [string, string, string];
    if (!PROJECT_NAME_PATTERN.test(project)) throw new InputError("keys", `keys[${index}]: project '${project}' in '${text}' must be a lowercase letter, then lowercase letters, digits or '-'`);
    if (!(environments as readonly string[]).includes(environment)) throw new InputError("keys", `keys[${index}]: environment '${environment}' in '${text}' must be 'test' or 'live'`);
    return { kind: "pattern", project, environment: environment as Environment };
  }
  const reference = parseKeyReference(text);
  if (typeof reference === "string") throw new InputError("keys", `keys[${index}]: ${reference}, or project/environment/* for every key of an environment (${KEY_REFERENCE_EXPECTED})`);
  return reference;
}

export function formatKeySelector(selector: KeySelector): string {
  return selector.kind === "pattern" ? `${selector.project}/${selector.environment}/*` : formatKeyReference(selector);
}

/** The keys the selectors name, each once; a pattern takes the active keys it matches. */
export async function selectKeys(keyward: Keyward, selectors: readonly KeySelector[]): Promise<ApiKey[]> {
  const selected = new Map<string, ApiKey>();
  for (const selector of selectors) {
    if (selector.kind !== "pattern") {
      const key = await resolveKey(keyward, selector);
      selected.set(key.id, key);
      continue;
    }
    const matches = await keyward.keys.list({ project: selector.project, environment: selector.environment, status: "active" }).toArray();
    if (matches.length === 0) {
      throw new ActionError(`No active key matches '${formatKeySelector(selector)}'. Check the project and environment, and that keyward-token may read them (keys:read).`);
    }
    for (const key of matches) selected.set(key.id, key);
  }
  return [...selected.values()];
}
