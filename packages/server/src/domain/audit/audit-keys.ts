import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import type { AuditRecord } from "../../storage/audit-store";
import { canonicalJson, keyedAuditHash } from "../audit-chain";
import type { Pepper } from "../pepper";

/** RFC 8410: the PKCS#8 DER of an Ed25519 private key is this prefix followed by the 32-byte seed. */
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
/** RFC 8410: the SPKI DER of an Ed25519 public key is this prefix followed by the 32 raw bytes. */
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export const PUBLIC_KEY_EXPECTED = "the 43-character base64url Ed25519 key printed by `keyward audit public-key`";

/** Who can check signatures: anyone holding the public key, e.g. an auditor with an exported log. */
export class AuditVerifier {
  readonly keyId: string;

  constructor(readonly publicKey: KeyObject) {
    this.keyId = keyIdOf(publicKey);
  }

  /** From the text `keyward audit public-key` prints; undefined when it is not such a key. */
  static fromText(text: string): AuditVerifier | undefined {
    const raw = /^[A-Za-z0-9_-]{43}$/.test(text.trim()) ? Buffer.from(text.trim(), "base64url") : undefined;
    if (raw?.length !== 32) return undefined;
    return new AuditVerifier(createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: "der", type: "spki" }));
  }

  /** The public key as one line of text (raw 32 bytes, base64url). */
  get text(): string {
    return this.publicKey.export({ format: "der", type: "spki" }).subarray(ED25519_SPKI_PREFIX.length).toString("base64url");
  }

  verifies(statement: readonly unknown[], signature: string): boolean {
    const bytes = Buffer.from(signature, "base64url");
    return bytes.length === 64 && verify(null, Buffer.from(canonicalJson(statement)), this.publicKey, bytes);
  }
}

/**
 * The audit log's two keys, both derived from the pepper (SPEC §12) under their own labels: the
 * HMAC key of the chain and the Ed25519 key that signs checkpoints. Neither is stored anywhere.
 */
export class AuditKeys {
  readonly #chainKey: Buffer;
  readonly #signingKey: KeyObject;
  readonly verifier: AuditVerifier;

  constructor(pepper: Pepper) {
    this.#chainKey = pepper.derive("keyward audit chain v1");
    const seed = pepper.derive("keyward audit signing v1");
    this.#signingKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
    this.verifier = new AuditVerifier(createPublicKey(this.#signingKey));
  }

  hash(event: Omit<AuditRecord, "hash">): string {
    return keyedAuditHash(this.#chainKey, event);
  }

  /** Ed25519 over the statement as canonical JSON; its first element names what is stated. */
  sign(statement: readonly unknown[]): string {
    return sign(null, Buffer.from(canonicalJson(statement)), this.#signingKey).toString("base64url");
  }

  toString(): string {
    return "AuditKeys(…)";
  }

  toJSON(): string {
    return this.toString();
  }
}

function keyIdOf(publicKey: KeyObject): string {
  return createHash("sha256").update(publicKey.export({ format: "der", type: "spki" })).digest("hex").slice(0, 16);
}
