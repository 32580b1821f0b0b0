import type { Secret } from "@keyward/contract";
import sodium from "libsodium-wrappers";

/** A target's public key as GitHub serves it: `GET …/secrets/public-key`. */
export interface GitHubPublicKey {
  readonly key_id: string;
  /** X25519 public key, standard base64. */
  readonly key: string;
}

/** The body of `PUT …/secrets/{name}`: the sealed value and the id of the key that sealed it. */
export interface SealedSecret {
  readonly encrypted_value: string;
  readonly key_id: string;
}

/**
 * Seals `secret` for one target with libsodium's `crypto_box_seal` (an ephemeral X25519 key pair,
 * XSalsa20-Poly1305), as GitHub requires: only GitHub, holding the private key, can open it.
 */
export async function sealSecret(secret: Secret, publicKey: GitHubPublicKey): Promise<SealedSecret> {
  await sodium.ready;
  const recipient = sodium.from_base64(publicKey.key, sodium.base64_variants.ORIGINAL);
  const sealed = sodium.crypto_box_seal(sodium.from_string(secret.reveal()), recipient);
  return { encrypted_value: sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL), key_id: publicKey.key_id };
}
