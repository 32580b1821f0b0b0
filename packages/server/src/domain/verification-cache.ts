import type { KeyRecord } from "../storage/key-store";
import type { SecretRecord } from "../storage/secret-store";
import type { TokenRecord } from "../storage/token-store";

export interface KeyEntry {
  key: KeyRecord;
  secret: SecretRecord;
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

/**
 * The verify path's memory: secrets and management tokens by digest (also "no such digest"), so a
 * verification costs no database round trip. Every mutation evicts what it touched, here and, via
 * NOTIFY, in every other instance. A read that raced with an eviction is not stored (generation
 * check), and nothing is cached while notifications from other instances may be missed.
 */
export class VerificationCache {
  private readonly keys = new Map<string, KeyEntry>();
  /** Digests known not to exist, apart, so a flood of made-up keys cannot evict real entries. */
  private readonly misses = new Map<string, null>();
  private readonly digestsByKey = new Map<string, Set<string>>();
  private readonly tokens = new Map<string, TokenRecord | null>();
  private readonly digestByToken = new Map<string, string>();
  private generation = 0;

  constructor(
    private readonly trustworthy: () => boolean,
    private readonly capacity = 250_000,
  ) {}

  async key(digest: string, load: () => Promise<KeyEntry | undefined>): Promise<KeyEntry | undefined> {
    const cached = this.keys.get(digest) ?? this.misses.get(digest);
    if (cached !== undefined && this.trustworthy()) return cached ?? undefined;
    const generation = this.generation;
    const entry = await load();
    if (generation === this.generation && this.trustworthy()) this.storeKey(digest, entry ?? null);
    return entry;
  }

  async token(digest: string, load: () => Promise<TokenRecord | undefined>): Promise<TokenRecord | undefined> {
    const cached = this.tokens.get(digest);
    if (cached !== undefined && this.trustworthy()) return cached ?? undefined;
    const generation = this.generation;
    const token = await load();
    if (generation === this.generation && this.trustworthy()) this.storeToken(digest, token ?? null);
    return token;
  }

  apply(change: Change): void {
    this.generation += 1;
    if (change.kind === "key") this.forgetKey(change.id);
    else if (change.kind === "token") this.forgetToken(change.id);
    else this.forgetProject(change.name);
  }

  clear(): void {
    this.generation += 1;
    this.keys.clear();
    this.misses.clear();
    this.digestsByKey.clear();
    this.tokens.clear();
    this.digestByToken.clear();
  }

  get size(): number {
    return this.keys.size + this.misses.size + this.tokens.size;
  }

  private storeKey(digest: string, entry: KeyEntry | null): void {
    if (!entry) {
      if (this.misses.size >= Math.ceil(this.capacity / 10)) this.evictOldest(this.misses);
      this.misses.set(digest, null);
      return;
    }
    if (this.keys.size >= this.capacity) this.evictOldest(this.keys);
    this.keys.set(digest, entry);
    let digests = this.digestsByKey.get(entry.key.id);
    if (!digests) this.digestsByKey.set(entry.key.id, (digests = new Set()));
    digests.add(digest);
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

  private forgetKey(id: string): void {
    for (const digest of this.digestsByKey.get(id) ?? []) this.keys.delete(digest);
    this.digestsByKey.delete(id);
  }

  private forgetToken(id: string): void {
    const digest = this.digestByToken.get(id);
    if (digest !== undefined) this.tokens.delete(digest);
    this.digestByToken.delete(id);
  }

  private forgetProject(name: string): void {
    for (const entry of this.keys.values()) {
      if (entry.key.project === name) this.forgetKey(entry.key.id);
    }
    this.misses.clear();
    for (const token of this.tokens.values()) {
      if (token?.project === name) this.forgetToken(token.id);
    }
  }
}
