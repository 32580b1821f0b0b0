import { type Environment, keySecretProblem, Secret } from "@keyward/contract";
import type { Stores } from "../../storage/stores";
import { badRequest } from "../api-error";
import type { Services } from "../services";

/**
 * The secret a create or a rotation issues: a fresh one from the issuer, or the one the client
 * generated itself (SPEC §13, the provider's ephemeral `keyward_secret`). A client-supplied secret
 * is taken only in the exact format with a valid checksum, for the key's environment, and never
 * seen before by any key (current, previous, revoked or purged: `used_secret_digests`). Each
 * refusal is a 400 that names the rule, never the value, before anything changes.
 */
export async function issuedSecret(
  services: Services,
  stores: Stores,
  environment: Environment,
  supplied: string | undefined,
): Promise<{ secret: Secret; source: "server" | "client" }> {
  if (supplied === undefined) return { secret: services.issuer.keySecret(environment), source: "server" };
  const problem = keySecretProblem(supplied, environment);
  if (problem) throw badRequest("body.secret", problem);
  if (await stores.secrets.everIssued(services.pepper.digest(supplied))) {
    throw badRequest("body.secret", "was used before; a client-supplied secret must never have been issued to any key");
  }
  return { secret: new Secret(supplied), source: "client" };
}
