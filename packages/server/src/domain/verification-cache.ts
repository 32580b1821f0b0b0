import type { VerifiableKey, VerifiableSecret } from "@keyward/contract";
import type { TokenRecord } from "../storage/token-store";
import { DigestIndex } from "./digest-index";

/** What verification needs of a secret and its key; only these fields are kept in memory. */
export interface KeyEntry {
  key: VerifiableKey;
  /** `version`: whose last use is recorded (SPEC §18). */
  secret: VerifiableSecret & { readonly version: number };
}
/** What a change notification names; sent on `CHANGES_CHANNEL` by every mutation. */
export type Change = { kind: "key"; id: string } | { kind: "token"; id: string } | { kind: "project"; name: string };

export const CHANGES_CHANNEL = "keyward_changes";

export function encodeChange(change: Change): string {
  return change.kind === "project" ? `project:${change.name}` : `${change.kind}:${change.id}`;
}

export function decodeChange(payload: string): Change | undefined {
  const cut = payload.indexOf(":");
  const kind = payload.slice(0, cut);
  const value = payload.slice(cut + 1);
  if (kind === "key" || kind === "token") return { kind, id: value };
  if (kind === "project") return { kind, name: value };
  return undefined;
}

/** Where the index of stored digests comes from (storage, injected). */
export interface DigestSources {
  /** Every stored secret digest. */
  allDigests(): Promise<string[]>;
  /** The digests of one key's secrets. */
  digestsOf(keyId: string): Promise<string[]>;
}

/** Entries the cache holds by default (about 1 KiB each; `--verification-cache-size`, KEYWARD_VERIFICATION_CACHE_SIZE). */
export const DEFAULT_VERIFICATION_CACHE_SIZE = 250_000;
const RELOAD_RETRY_MS = 1_000;

/**
 * The verify path's memory: secrets and management tokens by digest, so a verification costs no
 * database round trip, and an index of every stored digest, so a secret that was never issued is
 * refused without one (SPEC §16). Every mutation evicts what it touched, here and, via NOTIFY, in
 * every other instance; a key change also re-reads that key's digests into the index. A read that
 * raced with an eviction is not stored (generation check). While notifications from other
 * instances may be missed nothing is cached and the index is not believed; after such a gap it is
 * rebuilt from the database before it is believed again.
 *
 * At most `capacity` keys are held, evicted by second chance (CLOCK): a hit only marks its entry,
 * and an eviction passes over marked entries once (clearing the mark, moving them to the end)
 * before it drops the oldest unmarked one. So a key verified since the last pass is kept over one
 * that was not, as least-recently-used would, without re-inserting into the map on every hit.
 */
export class VerificationCache {
  private readonly keys = new Map<string, KeySlot>();
  /** Digests known not to exist (the index's rare false positives, purged keys), apart and bounded. */
  private readonly misses = new Map<string, null>();
  private readonly digestsByKey = new Map<string, string[]>();
  private readonly tokens = new Map<string, TokenRecord | null>();
  private readonly digestByToken = new Map<string, string>();
  /**
   * The digests of cached keys' secrets, by secret, and back: a secret verified again and again
   * costs a lookup instead of an HMAC (SPEC §16; the HMAC and its object were a fifth of the cached
   * path's CPU). A digest is a function of the secret and this process's pepper alone, so a
   * remembered one is never wrong; the entry is still looked up by it, as the HMAC's would be. Only
   * secrets whose entry is cached are held, and each goes with its entry (evicted, forgotten on a
   * change to its key, cleared), so they are at most `capacity` and a flood of made-up secrets
   * holds none. This keeps those secrets as text in this process's memory, as the pepper's memo of
   * management tokens does; the process sees each of them on every verification anyway, and
   * holds the pepper. Private fields: not shown by inspection.
   */
  readonly #digestBySecret = new Map<string, string>();
  readonly #secretByDigest = new Map<string, string>();
  private generation = 0;
  private index = new DigestIndex();
  /** The table being rebuilt, which sees every digest added meanwhile too. */
  private rebuilding: DigestIndex | undefined;
  private indexEpoch = 0;
  private indexReady = false;
  /** Keys whose digests are being re-read: until they are in, the index is not believed. */
  private refreshing = 0;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly trustworthy: () => boolean,
    readonly capacity = DEFAULT_VERIFICATION_CACHE_SIZE,
    private readonly sources?: DigestSources,
  ) {}

  /** Loads the index of stored digests; resolves once it is believed (or failed, then it retries). */
  loadIndex(): Promise<void> {
    if (!this.sources) return Promise.resolve();
    const sources = this.sources;
    const epoch = ++this.indexEpoch;
    clearTimeout(this.retry);
    this.indexReady = false;
    const fresh = new DigestIndex();
    this.rebuilding = fresh;
    return sources.allDigests().then(
      (digests) => {
        if (epoch !== this.indexEpoch) return;
        for (const digest of digests) fresh.add(digest);
        this.index = fresh;
        this.rebuilding = undefined;
        this.indexReady = true;
      },
      () => {
        if (epoch !== this.indexEpoch) return;
        this.retry = setTimeout(() => void this.loadIndex(), RELOAD_RETRY_MS);
        this.retry.unref();
      },
    );
  }

  /** Fills the cache at start, so the first verification of a stored key is a hit too; skipped if anything changed meanwhile. */
  async warm(load: (limit: number) => Promise<Array<{ digest: string; entry: KeyEntry }>>): Promise<void> {
    const generation = this.generation;
    const entries = await load(this.capacity);
    if (generation !== this.generation || !this.trustworthy()) return;
    for (const { digest, entry } of entries) this.storeKey(digest, entry);
  }

  /**
   * What memory alone can answer for a digest: the entry, null when it is certainly not stored,
   * undefined when only the database knows.
   */
  peekKey(digest: string): KeyEntry | null | undefined {
    if (!this.trustworthy()) return undefined;
    const slot = this.keys.get(digest);
    if (slot !== undefined) {
      slot.used = true;
      return slot.entry;
    }
    if (this.indexBelieved() && !this.index.has(digest)) return null;
    return this.misses.has(digest) ? null : undefined;
  }

  async key(digest: string, load: () => Promise<KeyEntry | undefined>): Promise<KeyEntry | undefined> {
    const known = this.peekKey(digest);
    if (known !== undefined) return known ?? undefined;
    const generation = this.generation;
    const entry = await load();
    if (generation === this.generation && this.trustworthy()) this.storeKey(digest, entry ?? null);
    return entry;
  }

  /** The digest of a secret remembered with its cached entry (see `#digestBySecret`), or undefined. */
  rememberedDigest(secret: string): string | undefined {
    return this.#digestBySecret.get(secret);
  }

  /** Remembers the digest of a secret whose entry is cached, for as long as the entry is; nothing when it is not cached. */
  rememberSecret(digest: string, secret: string): void {
    if (!this.keys.has(digest) || this.#secretByDigest.has(digest)) return;
    this.#digestBySecret.set(secret, digest);
    this.#secretByDigest.set(digest, secret);
  }

  /** The cached token for a digest, or undefined when only the database knows. */
  peekToken(digest: string): TokenRecord | null | undefined {
    return this.trustworthy() ? this.tokens.get(digest) : undefined;
  }

  async token(digest: string, load: () => Promise<TokenRecord | undefined>): Promise<TokenRecord | undefined> {
    const cached = this.peekToken(digest);
    if (cached !== undefined) return cached ?? undefined;
    const generation = this.generation;
    const token = await load();
    if (generation === this.generation && this.trustworthy()) this.storeToken(digest, token ?? null);
    return token;
  }

  apply(change: Change): void {
    this.generation += 1;
    if (change.kind === "key") {
      this.forgetKey(change.id);
      this.misses.clear();
      this.refreshDigests(change.id);
    } else if (change.kind === "token") this.forgetToken(change.id);
    else this.forgetProject(change.name);
  }

  /** Delivery had a gap: drop everything and rebuild the index before believing it again. */
  clear(): void {
    this.generation += 1;
    this.keys.clear();
    this.#digestBySecret.clear();
    this.#secretByDigest.clear();
    this.misses.clear();
    this.digestsByKey.clear();
    this.tokens.clear();
    this.digestByToken.clear();
    void this.loadIndex();
  }

  close(): void {
    this.indexEpoch += 1;
    clearTimeout(this.retry);
  }

  get size(): number {
    return this.keys.size + this.misses.size + this.tokens.size;
  }

  /** Digests in the index, and its bytes. */
  get indexStats(): { digests: number; bytes: number } {
    return { digests: this.index.size, bytes: this.index.byteLength };
  }

  private indexBelieved(): boolean {
    return this.indexReady && this.refreshing === 0;
  }

  private addDigest(digest: string): void {
    this.index.add(digest);
    this.rebuilding?.add(digest);
  }

  /** A key changed (maybe created or rotated): its digests go into the index before it is believed again. */
  private refreshDigests(keyId: string): void {
    if (!this.sources) return;
    this.refreshing += 1;
    this.sources.digestsOf(keyId).then(
      (digests) => {
        for (const digest of digests) this.addDigest(digest);
        this.refreshing -= 1;
      },
      () => {
        this.refreshing -= 1;
        void this.loadIndex();
      },
    );
  }

  private storeKey(digest: string, entry: KeyEntry | null): void {
    if (!entry) {
      if (this.misses.size >= Math.ceil(this.capacity / 10)) this.evictOldest(this.misses);
      this.misses.set(digest, null);
      return;
    }
    if (this.keys.size >= this.capacity) this.evictOldestKey();
    this.keys.set(digest, { entry: compactEntry(entry), used: false });
    this.addDigest(digest);
    const digests = this.digestsByKey.get(entry.key.id);
    if (!digests) this.digestsByKey.set(entry.key.id, [digest]);
    else if (!digests.includes(digest)) digests.push(digest);
  }

  private storeToken(digest: string, token: TokenRecord | null): void {
    if (this.tokens.size >= this.capacity) this.evictOldest(this.tokens);
    this.tokens.set(digest, token);
    if (token) this.digestByToken.set(token.id, digest);
  }

  /** Maps iterate in insertion order: the first entry is the oldest. */
  private evictOldest(map: Map<string, unknown>): void {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }

  /** The oldest key not hit since the last pass; a hit one gets a second chance at the end. Ends: each pass clears a mark. */
  private evictOldestKey(): void {
    for (;;) {
      const oldest = this.keys.entries().next();
      if (oldest.done) return;
      const [digest, slot] = oldest.value;
      this.keys.delete(digest);
      if (!slot.used) {
        this.forgetSecretOf(digest);
        this.forgetDigestOf(slot.entry, digest);
        return;
      }
      slot.used = false;
      this.keys.set(digest, slot);
    }
  }

  private forgetDigestOf(entry: KeyEntry, digest: string): void {
    const digests = this.digestsByKey.get(entry.key.id)?.filter((held) => held !== digest);
    if (digests && digests.length > 0) this.digestsByKey.set(entry.key.id, digests);
    else this.digestsByKey.delete(entry.key.id);
  }

  private forgetSecretOf(digest: string): void {
    const secret = this.#secretByDigest.get(digest);
    if (secret === undefined) return;
    this.#secretByDigest.delete(digest);
    this.#digestBySecret.delete(secret);
  }

  private forgetKey(id: string): void {
    for (const digest of this.digestsByKey.get(id) ?? []) {
      this.keys.delete(digest);
      this.forgetSecretOf(digest);
    }
    this.digestsByKey.delete(id);
  }

  private forgetToken(id: string): void {
    const digest = this.digestByToken.get(id);
    if (digest !== undefined) this.tokens.delete(digest);
    this.digestByToken.delete(id);
  }

  private forgetProject(name: string): void {
    for (const { entry } of this.keys.values()) {
      if (entry.key.project === name) this.forgetKey(entry.key.id);
    }
    this.misses.clear();
    for (const token of this.tokens.values()) {
      if (token?.project === name) this.forgetToken(token.id);
    }
  }
}

/** A cached key and whether it was hit since the last eviction pass. */
interface KeySlot {
  readonly entry: KeyEntry;
  used: boolean;
}

/** Only what the rules and the answer read: a stored key row carries much more (rotation, destinations, dates). */
function compactEntry({ key, secret }: KeyEntry): KeyEntry {
  return {
    key: {
      id: key.id,
      name: key.name,
      project: key.project,
      environment: key.environment,
      scopes: key.scopes,
      metadata: key.metadata,
      expiresAt: key.expiresAt,
      revokedAt: key.revokedAt,
      ipAllowlist: key.ipAllowlist,
      rateLimit: key.rateLimit,
    },
    secret: { version: secret.version, expiresAt: secret.expiresAt, revokedAt: secret.revokedAt },
  };
}
