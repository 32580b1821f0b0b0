import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/** Management tokens in use at once are few; this bounds what a flood of distinct tokens can hold. */
const REMEMBERED_DIGESTS = 1024;

/**
 * The server-wide secret kept outside the database (SPEC §2). Every secret and token is stored as
 * HMAC-SHA256(pepper, secret), so a copy of the database alone does not let anyone test guesses.
 */
export class Pepper {
  readonly #key: Buffer;
  /** Digests of the few texts asked for on every request (management tokens), bounded; never printed (see toString). */
  readonly #remembered = new Map<string, string>();

  constructor(key: Uint8Array) {
    if (key.length < 32) throw new RangeError("the pepper must be at least 32 bytes");
    this.#key = Buffer.from(key);
  }

  digest(text: string): string {
    return createHmac("sha256", this.#key).update(text).digest("hex");
  }

  /**
   * `digest(text)` for a text seen again and again, such as the management token on every
   * `POST /v1/verify`: computed once, then looked up. Holds at most `REMEMBERED_DIGESTS` texts.
   */
  rememberedDigest(text: string): string | undefined {
    return this.#remembered.get(text);
  }

  /** Computes `digest(text)` and remembers it for `rememberedDigest`, forgetting the oldest when full. */
  rememberDigest(text: string): string {
    const digest = this.digest(text);
    if (this.#remembered.size >= REMEMBERED_DIGESTS) this.#remembered.delete(this.#remembered.keys().next().value as string);
    this.#remembered.set(text, digest);
    return digest;
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

  /** A 32-byte key for one purpose, named by `label` (HKDF-SHA256): knowing one derived key reveals neither the pepper nor another. */
  derive(label: string): Buffer {
    return Buffer.from(hkdfSync("sha256", this.#key, Buffer.alloc(0), label, 32));
  }

  toString(): string {
    return "Pepper(…)";
  }

  toJSON(): string {
    return this.toString();
  }
}
