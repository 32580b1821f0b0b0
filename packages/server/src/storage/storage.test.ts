import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { bothBackends } from "../../test/storage-backends";
import type { KeyRecord } from "./key-store";
import type { Queryable } from "./database";
import { SecretStore } from "./secret-store";
import { Storage } from "./storage";

const { backends, postgres } = bothBackends();

const t0 = new Date("2026-01-01T00:00:00.000Z");
const later = (ms: number) => new Date(t0.getTime() + ms);

function key(overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id: "key_00000000000000000001",
    project: "billing",
    environment: "live",
    name: "ci",
    scopes: ["invoices:read"],
    version: 1,
    hint: "kw_live_…abcd",
    expiresAt: null,
    rotation: { every: "30d", grace_period: "24h" },
    rotatedAt: null,
    nextRotationAt: later(30 * 86_400_000),
    ipAllowlist: ["10.0.0.0/8", "2001:db8::/32"],
    rateLimit: { requests: 10, window: "1m" },
    metadata: { team: "payments", "o'brien": "x\"); DROP TABLE api_keys; --" },
    createdAt: t0,
    updatedAt: t0,
    lastUsedAt: null,
    destinations: [],
    lastUsedIp: null,
    revokedAt: null,
    ...overrides,
  };
}

describe.each(backends)("storage on $name", ({ name, open }) => {
  let storage: Storage;
  const label = `storage_${name.toLowerCase()}`;
  beforeAll(async () => {
    storage = await open(label);
    const { stores } = storage;
    await stores.projects.insert({ name: "billing", description: null, createdAt: t0 });
    await stores.scopes.insert({ project: "billing", name: "invoices:read", description: "Read", createdAt: t0, updatedAt: t0 });
    await stores.keys.insert(key());
    await stores.secrets.insert({ digest: "d1", keyId: key().id, version: 1, hint: "kw_live_…abcd", expiresAt: null, revokedAt: null, createdAt: t0 });
  });
  afterAll(async () => {
    await storage?.close();
  });

  it("keeps every field of a key as written, including JSON and SQL metacharacters", async () => {
    expect(await storage.stores.keys.get(key().id)).toEqual(key());
  });

  it("finds a secret with its key by digest, and nothing for an unknown digest", async () => {
    const found = await storage.stores.secrets.lookup("d1");
    expect(found?.key.id).toBe(key().id);
    expect(found?.secret.version).toBe(1);
    expect(await storage.stores.secrets.lookup("nope")).toBeUndefined();
  });

  it("answers verify lookups asked together in one statement per 64 digests, each with what verification reads", async () => {
    const secrets = Array.from({ length: 130 }, (_, i) => `batch${String(i).padStart(3, "0")}`);
    await storage.transaction(async (stores) => {
      for (const [i, digest] of secrets.entries()) {
        await stores.secrets.insert({ digest, keyId: key().id, version: 10 + i, hint: "kw_live_…abcd", expiresAt: i === 7 ? later(1_000) : null, revokedAt: i === 9 ? later(2_000) : null, createdAt: t0 });
      }
    });
    const query = vi.spyOn(storage.database, "query");
    try {
      const asked = [...secrets, "nope", "d1", secrets[5] as string];
      const found = await Promise.all(asked.map((digest) => storage.stores.secrets.findVerifiable(digest)));
      expect(found.map((entry) => entry?.secret.version)).toEqual([...secrets.map((_, i) => 10 + i), undefined, 1, 15]);
      // 132 distinct digests (one asked twice): three statements of at most 64.
      expect(query).toHaveBeenCalledTimes(3);
    } finally {
      query.mockRestore();
    }
    const { id, name, project, environment, scopes, metadata, expiresAt, revokedAt, ipAllowlist, rateLimit } = key();
    expect(await storage.stores.secrets.findVerifiable("batch007")).toEqual({
      digest: "batch007",
      key: { id, name, project, environment, scopes, metadata, expiresAt, revokedAt, ipAllowlist, rateLimit },
      secret: { version: 17, expiresAt: later(1_000), revokedAt: null },
    });
    // Revoked secrets are found too: verification answers REVOKED for them, not NOT_FOUND.
    expect((await storage.stores.secrets.findVerifiable("batch009"))?.secret).toEqual({ version: 19, expiresAt: null, revokedAt: later(2_000) });
  });

  it("answers which scopes a catalog declares and whether a live key holds one", async () => {
    expect(await storage.stores.scopes.declared("billing", ["invoices:read", "invoices:write"])).toEqual(new Set(["invoices:read"]));
    expect(await storage.stores.keys.scopeInUse("billing", "invoices:read")).toBe(true);
    expect(await storage.stores.keys.scopeInUse("billing", "invoices:write")).toBe(false);
  });

  it("filters keys by status and rotation due at a given instant", async () => {
    const list = (filter: object, now: Date) => storage.stores.keys.list({ ...filter, now, limit: 10 }).then((keys) => keys.map((k) => k.id));
    expect(await list({ status: "active" }, t0)).toEqual([key().id]);
    expect(await list({ rotationDue: true }, t0)).toEqual([]);
    expect(await list({ rotationDue: true }, later(31 * 86_400_000))).toEqual([key().id]);
    expect(await list({ environment: "test" }, t0)).toEqual([]);
  });

  it("rolls a failed transaction back completely", async () => {
    await expect(
      storage.transaction(async (stores) => {
        await stores.projects.insert({ name: "doomed", description: null, createdAt: t0 });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await storage.stores.projects.get("doomed")).toBeUndefined();
  });

  it("refuses a second live key with the same name, but frees the name once revoked", async () => {
    await expect(storage.stores.keys.insert(key({ id: "key_00000000000000000002" }))).rejects.toMatchObject({ name: "UniqueViolationError", constraint: "api_keys_live_name" });
    await storage.stores.keys.insert(key({ id: "key_00000000000000000003", name: "old", revokedAt: t0 }));
    await storage.stores.keys.insert(key({ id: "key_00000000000000000004", name: "old" }));
  });

  it("appends audit events under the head lock and lists them in order", async () => {
    await storage.transaction(async (stores) => {
      const head = await stores.audit.lockHead();
      expect(head.seq).toBe(0);
      await stores.audit.append({
        seq: 1, id: "evt_1", time: t0, actor: null, action: "project.create", target: "billing", project: "billing",
        environment: null, sourceIp: "127.0.0.1", requestId: "req_1", details: { b: 1, a: [1, "x"] }, prevHash: head.hash, hash: "h1",
      });
    });
    expect(await storage.stores.audit.head()).toEqual({ seq: 1, hash: "h1" });
    const [event] = await storage.stores.audit.list({ limit: 10 });
    expect(event).toMatchObject({ seq: 1, details: { a: [1, "x"], b: 1 }, time: t0 });
  });

  it("adds usage counts and summarises them per hour and per day", async () => {
    await storage.stores.usage.add([
      { keyId: key().id, bucket: later(3_600_000), code: "VALID", count: 2 },
      { keyId: key().id, bucket: later(3_600_000), code: "VALID", count: 3 },
      { keyId: key().id, bucket: later(2 * 3_600_000), code: "EXPIRED", count: 1 },
      { keyId: "key_gone00000000000000", bucket: t0, code: "VALID", count: 1 },
    ]);
    expect(await storage.stores.usage.summarize(key().id, t0, "hour")).toEqual([
      { keyId: key().id, bucket: later(3_600_000), code: "VALID", count: 5 },
      { keyId: key().id, bucket: later(2 * 3_600_000), code: "EXPIRED", count: 1 },
    ]);
    expect(await storage.stores.usage.summarize(key().id, t0, "day")).toEqual([
      { keyId: key().id, bucket: t0, code: "EXPIRED", count: 1 },
      { keyId: key().id, bucket: t0, code: "VALID", count: 5 },
    ]);
  });

  it("stores one saved answer per token and idempotency key", async () => {
    const record = { tokenId: "tok_1", keyDigest: "k1", fingerprint: "f", status: 201, sealed: "s", createdAt: t0 };
    await storage.stores.idempotency.insert(record);
    await expect(storage.stores.idempotency.insert(record)).rejects.toMatchObject({ name: "UniqueViolationError", constraint: "idempotency_records_pkey" });
    expect(await storage.stores.idempotency.find("tok_1", "k1", t0)).toEqual(record);
    expect(await storage.stores.idempotency.find("tok_1", "k1", later(1))).toBeUndefined();
  });

  it("claims a setting once", async () => {
    expect(await storage.stores.settings.claim("initialized_at", "x")).toBe(true);
    expect(await storage.stores.settings.claim("initialized_at", "y")).toBe(false);
    expect(await storage.stores.settings.get("initialized_at")).toBe("x");
  });

  it("delivers a notification only when its transaction commits", async () => {
    const received: string[] = [];
    const stop = await storage.database.listen("keyward_test", (payload) => received.push(payload), () => undefined);
    await storage.transaction((stores) => stores.notify("keyward_test", "rolled-back").then(() => Promise.reject(new Error("no")))).catch(() => undefined);
    await storage.transaction((stores) => stores.notify("keyward_test", "committed"));
    const deadline = Date.now() + 5_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toEqual(["committed"]);
    await stop();
  });
});

it("migrates an existing PostgreSQL database again without changing it, even from two processes at once", async () => {
  const url = await postgres().createDatabase("storage_remigrate");
  const first = await Storage.open({ databaseUrl: url });
  await first.stores.projects.insert({ name: "billing", description: null, createdAt: t0 });
  const [second, third] = await Promise.all([Storage.open({ databaseUrl: url }), Storage.open({ databaseUrl: url })]);
  expect(await third.stores.projects.get("billing")).toEqual({ name: "billing", description: null, createdAt: t0 });
  await Promise.all([first.close(), second.close(), third.close()]);
});

it("fails every verify lookup a failed statement carried, and sends the next ones afresh", async () => {
  let fail = true;
  const statements: unknown[][] = [];
  const db: Queryable = {
    query: async <Row,>(_sql: string, params: readonly unknown[] = []) => {
      statements.push([...params]);
      if (fail) throw new Error("connection terminated");
      return [{ found: null }] as Row[];
    },
    script: async () => undefined,
  };
  const secrets = new SecretStore(db);
  const failed = await Promise.allSettled([secrets.findVerifiable("a"), secrets.findVerifiable("b")]);
  expect(failed.map((result) => result.status === "rejected" && (result.reason as Error).message)).toEqual(["connection terminated", "connection terminated"]);
  fail = false;
  expect(await Promise.all([secrets.findVerifiable("a"), secrets.findVerifiable("c")])).toEqual([undefined, undefined]);
  expect(statements).toHaveLength(2);
});
