import { base62, composeSecret, type Environment, keySecretPrefix, Secret, TOKEN_SECRET_PREFIX } from "@keyward/contract";
import type { RandomSource } from "./random-source";

/** Makes ids and secrets from an injected random source (the format rules live in the contract). */
export class SecretIssuer {
  constructor(private readonly random: RandomSource) {}

  keySecret(environment: Environment): Secret {
    return new Secret(composeSecret(keySecretPrefix(environment), this.random(32)));
  }

  tokenSecret(): Secret {
    return new Secret(composeSecret(TOKEN_SECRET_PREFIX, this.random(32)));
  }

  /** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
  webhookSecret(): Secret {
    return new Secret(`whsec_${Buffer.from(this.random(32)).toString("base64")}`);
  }

  /** `key_` + 20 base62 characters (112 random bits). */
  id(prefix: "key" | "tok" | "evt" | "req" | "whk" | "msg" | "dlv"): string {
    return `${prefix}_${base62(BigInt(`0x${Buffer.from(this.random(14)).toString("hex")}`), 20)}`;
  }
}
