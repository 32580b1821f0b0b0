import { isInitialized } from "../initialize";
import { mutate } from "../mutation";
import type { Services } from "../services";

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
  const secret = services.issuer.tokenSecret();
  await mutate(services, { caller: null, requestId, sourceIp: null }, async (m) => {
    const token = {
      id: services.issuer.id("tok"),
      name: "root-recovered",
      scopes: ["admin" as const],
      project: null,
      environment: null,
      digest: services.pepper.digest(secret.reveal()),
      hint: secret.hint,
      expiresAt: null,
      createdAt: m.now,
      lastUsedAt: null,
      revokedAt: null,
    };
    await m.stores.tokens.insert(token);
    await m.audit({ action: "token.recover", target: token.id, project: null, environment: null, details: { name: token.name, scopes: token.scopes } });
  });
  return secret.reveal();
}
