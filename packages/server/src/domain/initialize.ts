import { mutate } from "./mutation";
import type { Services } from "./services";
import { newRootToken } from "./tokens/root-token";

export const INITIALIZED_SETTING = "initialized_at";

export class AlreadyInitializedError extends Error {
  constructor() {
    super("this Keyward database is already initialised; its root token was printed when it was created");
    this.name = "AlreadyInitializedError";
  }
}

export async function isInitialized(services: Services): Promise<boolean> {
  return (await services.storage.stores.settings.get(INITIALIZED_SETTING)) !== undefined;
}

/**
 * Creates the root (`admin`) token, once per database (`keyward init`). The plaintext is returned
 * for the one time it is printed; only its digest is stored.
 */
export async function initialize(services: Services, requestId: string): Promise<string> {
  let secret = "";
  await mutate(services, { caller: null, requestId, sourceIp: null }, async (m) => {
    if (!(await m.stores.settings.claim(INITIALIZED_SETTING, m.now.toISOString()))) throw new AlreadyInitializedError();
    const root = newRootToken(services, "root", m.now);
    await m.stores.tokens.insert(root.token);
    await m.audit({ action: "token.create", target: root.token.id, project: null, environment: null, details: { name: "root", scopes: ["admin"], root: true } });
    secret = root.secret;
  });
  return secret;
}
