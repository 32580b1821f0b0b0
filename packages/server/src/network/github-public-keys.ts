import { createPublicKey, type KeyObject } from "node:crypto";
import { request } from "undici";
import type { SigningKeyDirectory } from "../domain/secret-scanning/github-signature";

/** Unknown identifiers trigger a refresh at most this often, so forged headers cannot make the server hammer GitHub. */
const MIN_REFRESH_MS = 60_000;

/**
 * GitHub's secret scanning signing keys, from `<api>/meta/public_keys/secret_scanning`
 * (`{public_keys: [{key_identifier, key, is_current}]}`, PEM SPKI ECDSA P-256 keys). Cached;
 * refreshed when a request names an identifier the cache does not hold (GitHub rotates keys).
 */
export class GithubPublicKeys implements SigningKeyDirectory {
  #keys = new Map<string, KeyObject>();
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<void> | undefined;

  constructor(
    private readonly apiUrl: string,
    private readonly timeoutMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async find(identifier: string): Promise<KeyObject | undefined> {
    const known = this.#keys.get(identifier);
    if (known) return known;
    if (this.now() - this.#fetchedAt < MIN_REFRESH_MS) return undefined;
    this.#refreshing ??= this.refresh().finally(() => {
      this.#refreshing = undefined;
    });
    await this.#refreshing;
    return this.#keys.get(identifier);
  }

  private async refresh(): Promise<void> {
    this.#fetchedAt = this.now();
    const url = new URL("meta/public_keys/secret_scanning", this.apiUrl.endsWith("/") ? this.apiUrl : `${this.apiUrl}/`);
    const answer = await request(url, {
      headers: { accept: "application/vnd.github+json", "user-agent": "keyward", "x-github-api-version": "2022-11-28" },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (answer.statusCode !== 200) {
      await answer.body.dump();
      throw new Error(`GitHub's secret scanning keys: ${url.origin} answered ${answer.statusCode}`);
    }
    const body = (await answer.body.json()) as { public_keys?: { key_identifier?: unknown; key?: unknown }[] };
    const keys = new Map<string, KeyObject>();
    for (const entry of body.public_keys ?? []) {
      if (typeof entry.key_identifier !== "string" || typeof entry.key !== "string") continue;
      keys.set(entry.key_identifier, createPublicKey(entry.key));
    }
    this.#keys = keys;
  }
}
