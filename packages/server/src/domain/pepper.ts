import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/**
 * The server-wide secret kept outside the database (SPEC §2). Every secret and token is stored as
 * HMAC-SHA256(pepper, secret), so a copy of the database alone does not let anyone test guesses.
 */
export class Pepper {
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length < 32) throw new RangeError("the pepper must be at least 32 bytes");
    this.#key = Buffer.from(key);
  }

  digest(text: string): string {
    return createHmac("sha256", this.#key).update(text).digest("hex");
  }

  /** Constant-time equality of two digests, so comparing leaks nothing through timing. */
  static sameDigest(a: string, b: string): boolean {
    const left = Buffer.from(a, "hex");
    const right = Buffer.from(b, "hex");
    return left.length === right.length && timingSafeEqual(left, right);
  }

  /** The AES-256-GCM key that seals a saved idempotent answer: only this pepper plus that Idempotency-Key opens it. */
  sealingKey(idempotencyKey: string): Buffer {
    return Buffer.from(hkdfSync("sha256", this.#key, Buffer.from(idempotencyKey, "utf8"), "keyward idempotent answer v1", 32));
  }

  toString(): string {
    return "Pepper(…)";
  }

  toJSON(): string {
    return this.toString();
  }
}
