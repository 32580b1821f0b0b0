import { isInitialized } from "../initialize";
import { mutate } from "../mutation";
import type { Services } from "../services";
import { newRootToken } from "./root-token";

export class NotInitializedError extends Error {
  constructor() {
    super("this Keyward database is not initialised: there is nothing to recover; run `keyward init`");
    this.name = "NotInitializedError";
  }
}

/**
 * `keyward token recover` (SPEC §10): when every admin token is lost, whoever holds the database
 * and the pepper (the server machine) mints one new root token. Nothing is revoked; the recovery is
 * audited as `token.recover`. There is no API for this, as Vault regenerates root only from its
 * unseal material. The plaintext is returned for the one time it is printed.
 */
export async function recoverRootToken(services: Services, requestId: string): Promise<string> {
  if (!(await isInitialized(services))) throw new NotInitializedError();
  let secret = "";
  await mutate(services, { caller: null, requestId, sourceIp: null }, async (m) => {
    const root = newRootToken(services, "root-recovered", m.now);
    await m.stores.tokens.insert(root.token);
    await m.audit({ action: "token.recover", target: root.token.id, project: null, environment: null, details: { name: root.token.name, scopes: root.token.scopes } });
    secret = root.secret;
  });
  return secret;
}
