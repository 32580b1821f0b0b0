import { type ApiKey, type Keyward, NotFoundError } from "@keyward/client";
import { ActionError } from "./action-error";
import { formatKeyReference, type KeyReference } from "./key-reference";

/** The Keyward key a target names, or an error saying it does not exist for this token. */
export async function resolveKey(keyward: Keyward, reference: KeyReference): Promise<ApiKey> {
  const found = reference.kind === "id" ? await byId(keyward, reference.id) : await byName(keyward, reference);
  if (!found) {
    throw new ActionError(
      `Key '${formatKeyReference(reference)}' was not found in Keyward. Check the key id or project/environment/name, and that keyward-token may read it (keys:read for its project and environment).`,
    );
  }
  return found;
}

async function byId(keyward: Keyward, id: string): Promise<ApiKey | undefined> {
  try {
    return await keyward.keys.get(id);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

async function byName(keyward: Keyward, reference: Extract<KeyReference, { kind: "name" }>): Promise<ApiKey | undefined> {
  const { project, environment, name } = reference;
  const matches = await keyward.keys.list({ project, environment, name }).toArray(10);
  const named = matches.filter((key) => key.name === name);
  return named.find((key) => key.status === "active") ?? named[0];
}
