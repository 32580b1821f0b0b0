import { randomBytes } from "node:crypto";
import { composeSecret, type Environment, hintOf, keySecretPrefix } from "@keyward/contract";
import { cty, type EphemeralResourceDefinition } from "@keyward/terraform-plugin";
import { rules, check } from "../configuration-rules";
import type { KeywardContext } from "../provider-context";

/**
 * `ephemeral "keyward_secret"` (SPEC §13, Terraform 1.10+): a fresh key secret made in the provider
 * (256 random bits in the §2 format, with the contract's generator), never written to a plan or
 * state. It feeds `keyward_api_key.secret_wo` and, in the same run, any other provider's
 * write-only argument or a provisioner. Terraform opens it anew for every plan and apply, so each
 * run sees a different value; only the one a `secret_wo_version` change sends is ever issued.
 */
export function secretEphemeralResourceWith(random: (size: number) => Uint8Array): EphemeralResourceDefinition<KeywardContext> {
  return {
    typeName: "keyward_secret",
    schema: {
      description:
        "A fresh key secret generated in the provider, never stored in the plan or state. Pass it to `keyward_api_key.secret_wo` (with `secret_wo_version`) and to the write-only argument of the store that should hold it.",
      attributes: {
        environment: { type: cty.string, required: true, description: "`test` or `live`: the environment of the key that will use the secret (it is part of the secret's prefix)." },
        secret: { type: cty.string, computed: true, sensitive: true, description: "The secret, `kw_<environment>_…`." },
        hint: { type: cty.string, computed: true, description: "Prefix and last 4 characters of the secret, safe to show." },
      },
    },
    validate: (config) => check(config, ["environment"], rules.environment),
    async open(_context, config) {
      const environment = config.environment as Environment;
      const secret = composeSecret(keySecretPrefix(environment), random(32));
      return { result: { environment, secret, hint: hintOf(secret) } };
    },
  };
}

export const secretEphemeralResource: EphemeralResourceDefinition<KeywardContext> = secretEphemeralResourceWith((size) => randomBytes(size));
