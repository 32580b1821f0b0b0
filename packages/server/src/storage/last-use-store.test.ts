import { afterAll, describe, expect, it } from "vitest";
import { bothBackends } from "../../test/storage-backends";
import { storedKey } from "../../test/stored-keys";
import type { Database } from "./database";
import type { KeyRecord } from "./key-store";
import { NO_SECRET_VERSION } from "./last-use-store";
import { migrate, migrations } from "./migrations";
import { keyLastUsesMigration } from "./migrations/key-last-uses";
import { openPgliteDatabase } from "./pglite-database";
import { openPostgresDatabase } from "./postgres-database";
import { Storage } from "./storage";
import { Stores } from "./stores";

const { backends, postgres } = bothBackends();

const t0 = new Date("2026-04-01T08:00:00.000Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const MINUTE = 60_000;

const key = (id: string, overrides: Partial<KeyRecord> = {}) => storedKey(id, t0, overrides);

/** A database whose schema stops just before the migration that moved last uses into their own table. */
async function beforeLastUseTable(database: Database): Promise<void> {
  const upTo = migrations.indexOf(keyLastUsesMigration);
  expect(upTo).toBeGreaterThan(0);
  await database.transaction(async (tx) => {
    await tx.query("CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
    for (const [index, sql] of migrations.slice(0, upTo).entries()) {
      await tx.script(sql);
      await tx.query("INSERT INTO schema_migrations (version) VALUES ($1)", [index + 1]);
    }
  });
}

describe.each(backends)("last uses on $name", ({ name, open }) => {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    for (const closing of opened) await closing.close();
  });
  const rawDatabase = async (label: string): Promise<Database> => {
    const database = name === "PGlite" ? await openPgliteDatabase(undefined) : await openPostgresDatabase(await postgres().createDatabase(label));
    opened.push(database);
    return database;
  };

  it("moves the last uses kept in key and secret rows into their own table, and reads them back the same", async () => {
    const database = await rawDatabase(`last_use_move_${name.toLowerCase()}`);
    await beforeLastUseTable(database);
    const sql = (text: string, params: unknown[] = []) => database.query(text, params);
    await sql("INSERT INTO projects (name, created_at) VALUES ('billing', $1)", [t0.toISOString()]);
    const keyRow = (id: string, lastUsedAt: Date | null, ip: string | null) =>
      sql(
        `INSERT INTO api_keys (id, project, environment, name, scopes, version, hint, metadata, created_at, updated_at, last_used_at, last_used_ip)
         VALUES ($1, 'billing', 'live', $1, '[]'::jsonb, 2, 'h', '{}'::jsonb, $2, $2, $3, $4)`,
        [id, t0.toISOString(), lastUsedAt?.toISOString() ?? null, ip],
      );
    const secretRow = (id: string, version: number, lastUsedAt: Date | null, ip: string | null) =>
      sql("INSERT INTO key_secrets (digest, key_id, version, hint, created_at, last_used_at, last_used_ip) VALUES ($1, $2, $3, 'h', $4, $5, $6)", [
        `${id}-${version}`, id, version, t0.toISOString(), lastUsedAt?.toISOString() ?? null, ip,
      ]);
    // Both secrets used, the key's own last use is the newer one's.
    await keyRow("key_movedboth000000001", at(2 * MINUTE), "192.0.2.2");
    await secretRow("key_movedboth000000001", 1, at(MINUTE), "192.0.2.1");
    await secretRow("key_movedboth000000001", 2, at(2 * MINUTE), "192.0.2.2");
    // Used before secrets kept their own last use: only the key knows.
    await keyRow("key_movedkeyonly000001", at(3 * MINUTE), "198.51.100.3");
    await secretRow("key_movedkeyonly000001", 1, null, null);
    await secretRow("key_movedkeyonly000001", 2, null, null);
    // Used without a caller address.
    await keyRow("key_movednoip000000001", at(4 * MINUTE), null);
    await secretRow("key_movednoip000000001", 1, at(4 * MINUTE), null);
    await keyRow("key_movednever00000001", null, null);
    await secretRow("key_movednever00000001", 1, null, null);

    await migrate(database);
    const { stores } = new Storage(database);
    const lastUse = async (id: string) => {
      const found = await stores.keys.get(id);
      return [found?.lastUsedAt ?? null, found?.lastUsedIp ?? null];
    };
    const secretUses = async (id: string) => (await stores.secrets.listForKey(id)).map((s) => [s.version, s.lastUsedAt ?? null, s.lastUsedIp ?? null]);
    expect(await lastUse("key_movedboth000000001")).toEqual([at(2 * MINUTE), "192.0.2.2"]);
    expect(await secretUses("key_movedboth000000001")).toEqual([[2, at(2 * MINUTE), "192.0.2.2"], [1, at(MINUTE), "192.0.2.1"]]);
    expect(await lastUse("key_movedkeyonly000001")).toEqual([at(3 * MINUTE), "198.51.100.3"]);
    expect(await secretUses("key_movedkeyonly000001")).toEqual([[2, null, null], [1, null, null]]);
    expect(await lastUse("key_movednoip000000001")).toEqual([at(4 * MINUTE), null]);
    expect(await lastUse("key_movednever00000001")).toEqual([null, null]);
    // The key that only knew its own last use keeps it apart from its secrets'; the others keep none.
    const kept = await sql("SELECT key_id, version FROM key_last_uses ORDER BY key_id, version");
    expect(kept).toEqual([
      { key_id: "key_movedboth000000001", version: 1 },
      { key_id: "key_movedboth000000001", version: 2 },
      { key_id: "key_movedkeyonly000001", version: NO_SECRET_VERSION },
      { key_id: "key_movednoip000000001", version: 1 },
    ]);
    // Listing, lookup by name and the locked read for a rotation see the same last use.
    expect((await stores.keys.list({ project: "billing", now: t0, limit: 10 })).map((k) => [k.id, k.lastUsedAt])).toEqual([
      ["key_movedboth000000001", at(2 * MINUTE)],
      ["key_movedkeyonly000001", at(3 * MINUTE)],
      ["key_movednever00000001", null],
      ["key_movednoip000000001", at(4 * MINUTE)],
    ]);
    expect((await stores.keys.findActiveByName("billing", "live", "key_movedkeyonly000001"))?.lastUsedIp).toBe("198.51.100.3");
    const locked = await database.transaction((tx) => new Stores(tx).keys.get("key_movedboth000000001", { lock: true }));
    expect(locked?.lastUsedAt).toEqual(at(2 * MINUTE));
    // Migrating again changes nothing.
    await migrate(database);
    expect(await lastUse("key_movedboth000000001")).toEqual([at(2 * MINUTE), "192.0.2.2"]);
  });

  it("keeps a key's last use as its newest secret's, a use that named no secret too, and deletes them with the key", async () => {
    const storage = await open(`last_use_rows_${name.toLowerCase()}`);
    opened.push(storage);
    const { stores } = storage;
    await stores.projects.insert({ name: "billing", description: null, createdAt: t0 });
    await stores.keys.insert(key("key_lastuserows000001", { version: 2 }));
    for (const version of [1, 2]) {
      await stores.secrets.insert({ digest: `rows-${version}`, keyId: "key_lastuserows000001", version, hint: "h", expiresAt: null, revokedAt: null, createdAt: t0 });
    }
    const lastUse = async () => {
      const found = await stores.keys.get("key_lastuserows000001");
      return [found?.lastUsedAt ?? null, found?.lastUsedIp ?? null];
    };
    await stores.lastUses.record([{ keyId: "key_lastuserows000001", version: 1, at: at(MINUTE), ip: "192.0.2.1" }]);
    await stores.lastUses.record([{ keyId: "key_lastuserows000001", version: 2, at: at(3 * MINUTE), ip: "192.0.2.2" }]);
    expect(await lastUse()).toEqual([at(3 * MINUTE), "192.0.2.2"]);
    // The older secret used later again: the key follows it.
    await stores.lastUses.record([{ keyId: "key_lastuserows000001", version: 1, at: at(5 * MINUTE), ip: null }]);
    expect(await lastUse()).toEqual([at(5 * MINUTE), "192.0.2.1"]);
    // A use that named no secret (an in-process verifier's report without a version).
    await stores.lastUses.record([{ keyId: "key_lastuserows000001", version: NO_SECRET_VERSION, at: at(7 * MINUTE), ip: "203.0.113.9" }]);
    expect(await lastUse()).toEqual([at(7 * MINUTE), "203.0.113.9"]);
    expect((await stores.secrets.listForKey("key_lastuserows000001")).map((s) => [s.version, s.lastUsedAt])).toEqual([
      [2, at(3 * MINUTE)],
      [1, at(5 * MINUTE)],
    ]);
    // A key stored with a last use (a restore) keeps it.
    await stores.keys.insert(key("key_lastuserestored001", { lastUsedAt: at(9 * MINUTE), lastUsedIp: "192.0.2.9" }));
    expect((await stores.keys.get("key_lastuserestored001"))?.lastUsedAt).toEqual(at(9 * MINUTE));
    // Uses of a key deleted meanwhile are dropped; a deleted key's rows go with it.
    await stores.lastUses.record([{ keyId: "key_neverstored0000001", version: 1, at: t0, ip: null }]);
    await stores.keys.delete("key_lastuserows000001");
    expect(await storage.database.query("SELECT key_id FROM key_last_uses WHERE key_id IN ('key_lastuserows000001', 'key_neverstored0000001')")).toEqual([]);
  });
});
