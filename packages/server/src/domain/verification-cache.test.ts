import { describe, expect, it } from "vitest";
import type { VerifiableKey } from "@keyward/contract";
import { decodeChange, encodeChange, type KeyEntry, VerificationCache } from "./verification-cache";

const entry = (id: string, project = "billing"): KeyEntry => ({
  key: { id, project, scopes: ["s:read"] } as unknown as VerifiableKey,
  secret: { version: 1, expiresAt: null, revokedAt: null },
});

describe("VerificationCache", () => {
  it("loads a digest once, then answers from memory", async () => {
    const cache = new VerificationCache(() => true);
    let loads = 0;
    const load = async () => {
      loads += 1;
      return entry("key_a");
    };
    await cache.key("d1", load);
    expect(await cache.key("d1", load)).toEqual(entry("key_a"));
    expect(loads).toBe(1);
  });

  it("remembers that a digest is unknown, and forgets a key on a change", async () => {
    const cache = new VerificationCache(() => true);
    let answer: KeyEntry | undefined;
    let loads = 0;
    const load = async () => {
      loads += 1;
      return answer;
    };
    expect(await cache.key("d1", load)).toBeUndefined();
    expect(await cache.key("d1", load)).toBeUndefined();
    expect(loads).toBe(1);
    answer = entry("key_a");
    cache.clear();
    expect(await cache.key("d1", load)).toEqual(entry("key_a"));
    cache.apply({ kind: "key", id: "key_a" });
    answer = undefined;
    expect(await cache.key("d1", load)).toBeUndefined();
    expect(loads).toBe(3);
  });

  it("does not store a read that raced with a change", async () => {
    const cache = new VerificationCache(() => true);
    let release: () => void = () => undefined;
    const slow = cache.key("d1", () => new Promise((resolve) => (release = () => resolve(entry("key_a")))));
    cache.apply({ kind: "key", id: "key_a" });
    release();
    await slow;
    let loads = 0;
    await cache.key("d1", async () => {
      loads += 1;
      return undefined;
    });
    expect(loads).toBe(1);
  });

  it("caches nothing while changes from other instances may be missed", async () => {
    let live = false;
    const cache = new VerificationCache(() => live);
    let loads = 0;
    const load = async () => {
      loads += 1;
      return entry("key_a");
    };
    await cache.key("d1", load);
    await cache.key("d1", load);
    expect(loads).toBe(2);
    live = true;
    await cache.key("d1", load);
    await cache.key("d1", load);
    expect(loads).toBe(3);
  });

  it("forgets a whole project's keys and tokens, and stays within its capacity", async () => {
    const cache = new VerificationCache(() => true, 2);
    await cache.key("d1", async () => entry("key_a", "alpha"));
    await cache.key("d2", async () => entry("key_b", "beta"));
    await cache.key("d3", async () => entry("key_c", "beta"));
    expect(cache.size).toBe(2);
    cache.apply({ kind: "project", name: "beta" });
    expect(cache.size).toBe(0);
  });

  it("encodes changes for NOTIFY and reads them back", () => {
    for (const change of [{ kind: "key", id: "key_a" }, { kind: "token", id: "tok_b" }, { kind: "project", name: "billing" }] as const) {
      expect(decodeChange(encodeChange(change))).toEqual(change);
    }
    expect(decodeChange("nonsense")).toBeUndefined();
  });
});

describe("VerificationCache under a flood of made-up keys", () => {
  it("keeps real entries when unknown digests pile up", async () => {
    const cache = new VerificationCache(() => true, 10);
    await cache.key("real", async () => entry("key_real"));
    for (let i = 0; i < 100; i += 1) await cache.key(`made-up-${i}`, async () => undefined);
    let loads = 0;
    expect(
      await cache.key("real", async () => {
        loads += 1;
        return entry("key_real");
      }),
    ).toEqual(entry("key_real"));
    expect(loads).toBe(0);
    expect(cache.size).toBe(2);
  });
});

describe("VerificationCache's index of stored digests", () => {
  const sources = (stored: Map<string, string[]>) => ({
    allDigests: async () => [...stored.values()].flat(),
    digestsOf: async (keyId: string) => stored.get(keyId) ?? [],
  });
  const never = async (): Promise<KeyEntry | undefined> => {
    throw new Error("the database was asked about a digest the index rules out");
  };
  const hexDigest = (n: number) => n.toString(16).padEnd(64, "a");

  it("answers an unknown digest without a lookup once the index is loaded", async () => {
    const cache = new VerificationCache(() => true, 10, sources(new Map([["key_a", [hexDigest(1)]]])));
    expect(cache.peekKey(hexDigest(2))).toBeUndefined();
    await cache.loadIndex();
    expect(cache.peekKey(hexDigest(2))).toBeNull();
    expect(await cache.key(hexDigest(2), never)).toBeUndefined();
    expect(await cache.key(hexDigest(1), async () => entry("key_a"))).toEqual(entry("key_a"));
  });

  it("does not believe the index while a changed key's digests are being read, nor while the channel is down", async () => {
    let live = true;
    const stored = new Map([["key_a", [hexDigest(1)]]]);
    const cache = new VerificationCache(() => live, 10, sources(stored));
    await cache.loadIndex();
    stored.set("key_b", [hexDigest(2)]);
    cache.apply({ kind: "key", id: "key_b" });
    expect(cache.peekKey(hexDigest(2))).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache.peekKey(hexDigest(3))).toBeNull();
    expect(cache.peekKey(hexDigest(2))).toBeUndefined();
    live = false;
    expect(cache.peekKey(hexDigest(3))).toBeUndefined();
  });

  it("rebuilds after a gap and keeps digests added while it rebuilt", async () => {
    const stored = new Map([["key_a", [hexDigest(1)]]]);
    let release: () => void = () => undefined;
    const slowSources = {
      allDigests: () => new Promise<string[]>((resolve) => (release = () => resolve([hexDigest(1)]))),
      digestsOf: async (keyId: string) => stored.get(keyId) ?? [],
    };
    const cache = new VerificationCache(() => true, 10, slowSources);
    const loading = cache.loadIndex();
    stored.set("key_b", [hexDigest(2)]);
    cache.apply({ kind: "key", id: "key_b" });
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await loading;
    expect(cache.peekKey(hexDigest(2))).toBeUndefined();
    expect(cache.peekKey(hexDigest(9))).toBeNull();
  });

  it("evicts the least recently used key first", async () => {
    const cache = new VerificationCache(() => true, 2);
    await cache.key("d1", async () => entry("key_a"));
    await cache.key("d2", async () => entry("key_b"));
    expect(cache.peekKey("d1")).toEqual(entry("key_a"));
    await cache.key("d3", async () => entry("key_c"));
    expect(cache.peekKey("d1")).toEqual(entry("key_a"));
    expect(cache.peekKey("d2")).toBeUndefined();
  });

  it("keeps every key hit since the last eviction over one that was not, whatever their age", async () => {
    const cache = new VerificationCache(() => true, 4);
    for (const n of [1, 2, 3, 4]) await cache.key(`d${n}`, async () => entry(`key_${n}`));
    // d1 and d3 are the oldest of their kind; only d2 and d4 are hit.
    cache.peekKey("d2");
    cache.peekKey("d4");
    await cache.key("d5", async () => entry("key_5"));
    await cache.key("d6", async () => entry("key_6"));
    expect(["d1", "d2", "d3", "d4", "d5", "d6"].map((digest) => cache.peekKey(digest) !== undefined)).toEqual([false, true, false, true, true, true]);
    expect(cache.size).toBe(4);
  });

  it("evicts the oldest once every key was hit, and a forgotten key's digests go with it", async () => {
    const cache = new VerificationCache(() => true, 3);
    for (const n of [1, 2, 3]) await cache.key(`d${n}`, async () => entry(`key_${n}`));
    for (const n of [3, 1, 2]) cache.peekKey(`d${n}`);
    await cache.key("d4", async () => entry("key_4"));
    expect(["d1", "d2", "d3", "d4"].map((digest) => cache.peekKey(digest) !== undefined)).toEqual([false, true, true, true]);
    // The evicted key is not reloaded by a change to it, and a change evicts a held key at once.
    cache.apply({ kind: "key", id: "key_2" });
    expect(cache.peekKey("d2")).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it("never holds more keys than its capacity, whatever the order of hits and loads", async () => {
    const cache = new VerificationCache(() => true, 8);
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    for (let i = 0; i < 2_000; i += 1) {
      const digest = `d${next() % 40}`;
      if (next() % 2 === 0) cache.peekKey(digest);
      else await cache.key(digest, async () => entry(`key_${digest}`));
      expect(cache.size).toBeLessThanOrEqual(8);
    }
  });
});

describe("VerificationCache's memo of cached keys' secrets", () => {
  it("remembers a secret's digest only while its entry is cached: not for an unknown digest, and not past an eviction, a change or a gap", async () => {
    const cache = new VerificationCache(() => true, 2);
    cache.rememberSecret("unknown", "kw_live_unknown");
    await cache.key("missing", async () => undefined);
    cache.rememberSecret("missing", "kw_live_missing");
    expect([cache.rememberedDigest("kw_live_unknown"), cache.rememberedDigest("kw_live_missing")]).toEqual([undefined, undefined]);

    for (const n of [1, 2]) {
      await cache.key(`d${n}`, async () => entry(`key_${n}`));
      cache.rememberSecret(`d${n}`, `kw_live_${n}`);
    }
    expect([1, 2].map((n) => cache.rememberedDigest(`kw_live_${n}`))).toEqual(["d1", "d2"]);
    // d1 was hit, so d2 is the one evicted: its secret goes with it.
    cache.peekKey("d1");
    await cache.key("d3", async () => entry("key_3"));
    cache.rememberSecret("d3", "kw_live_3");
    expect([1, 2, 3].map((n) => cache.rememberedDigest(`kw_live_${n}`))).toEqual(["d1", undefined, "d3"]);

    cache.apply({ kind: "key", id: "key_1" });
    expect(cache.rememberedDigest("kw_live_1")).toBeUndefined();
    cache.apply({ kind: "project", name: "billing" });
    expect(cache.rememberedDigest("kw_live_3")).toBeUndefined();

    await cache.key("d4", async () => entry("key_4"));
    cache.rememberSecret("d4", "kw_live_4");
    cache.clear();
    expect(cache.rememberedDigest("kw_live_4")).toBeUndefined();
  });

  it("holds no more secrets than entries, whatever the order of hits, loads and changes", async () => {
    const cache = new VerificationCache(() => true, 8);
    let seed = 11;
    const next = () => (seed = (seed * 48271) % 2147483647);
    const secrets = Array.from({ length: 40 }, (_, n) => `kw_live_${n}`);
    for (let i = 0; i < 2_000; i += 1) {
      const n = next() % 40;
      const digest = `d${n}`;
      const step = next() % 3;
      if (step === 0) await cache.key(digest, async () => entry(`key_${n}`));
      else if (step === 1) cache.rememberSecret(digest, secrets[n] as string);
      else if (next() % 10 === 0) cache.apply({ kind: "key", id: `key_${n}` });
      const remembered = secrets.filter((secret, m) => {
        const held = cache.rememberedDigest(secret);
        if (held !== undefined) expect([held, cache.peekKey(held)]).toEqual([`d${m}`, entry(`key_${m}`)]);
        return held !== undefined;
      });
      expect(remembered.length).toBeLessThanOrEqual(cache.size);
    }
  });
});
