import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bothBackends } from "../../test/storage-backends";
import { seedKey, type StoredSecret, storedKey, storedSecret } from "../../test/stored-keys";
import type { Database, Queryable } from "../storage/database";
import { DatabaseUnavailableError } from "../storage/database-error";
import type { KeyRecord } from "../storage/key-store";
import type { GraceStart } from "../storage/secret-store";
import { Storage } from "../storage/storage";
import { FLUSH_SLICE_ROWS } from "../storage/usage-store";
import { LAST_USE_RESOLUTION_MS, UsageRecorder } from "./usage-recorder";

const { backends, postgres } = bothBackends();

const t0 = new Date("2026-03-01T10:00:00.000Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const MANY = 100_000;

const key = (id: string, overrides: Partial<KeyRecord> = {}) => storedKey(id, t0, overrides);

/** The database as the recorder sees it, with every statement its transactions run written down. */
/**
 * A full garbage collection: `--expose-gc` set at run time exposes `gc` to a new context. The flag
 * is unset again: the worker runs other test files (vitest's isolate: false), and a changed flag
 * makes V8 reject the code caches this process writes for a fresh one (executable-part.test.ts).
 */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  try {
    (runInNewContext("gc") as () => void)();
  } finally {
    setFlagsFromString("--no-expose-gc");
  }
}

function recording(database: Database): { database: Database; statements: string[] } {
  const statements: string[] = [];
  const counted = (tx: Queryable): Queryable => ({
    query: (sql, params) => {
      statements.push(sql.trim().split(/\s+/).slice(0, 3).join(" "));
      return tx.query(sql, params);
    },
    script: (sql) => tx.script(sql),
  });
  return { database: { ...database, transaction: (work) => database.transaction((tx) => work(counted(tx))), listen: database.listen.bind(database), close: database.close.bind(database) }, statements };
}

describe.each(backends)("usage recorder on $name", ({ name, open }) => {
  let storage: Storage;
  const failures: unknown[] = [];
  const recorder = (onGraceStarts?: (starts: readonly GraceStart[]) => Promise<void>, target = storage) =>
    new UsageRecorder(target, (error) => failures.push(error), () => {}, onGraceStarts && ((_stores, starts) => onGraceStarts(starts)));

  beforeAll(async () => {
    storage = await open(`usage_${name.toLowerCase()}`);
    await storage.stores.projects.insert({ name: "billing", description: null, createdAt: t0 });
  });
  afterAll(async () => {
    await storage?.close();
    expect(failures).toEqual([]);
  });

  const seed = (id: string, versions?: readonly StoredSecret[]) => seedKey(storage.stores, id, t0, versions);
  const secretOf = (id: string, version: number) => storedSecret(storage.stores, id, version);

  it("writes a key's and its secret's last use only when it moves on by the resolution", async () => {
    await seed("key_resolution00000001");
    const usage = recorder();
    const use = async (ms: number, ip: string) => {
      usage.recordVerification("key_resolution00000001", "VALID", at(ms), ip, 1, 1);
      await usage.flush();
      const [found, secret] = [await storage.stores.keys.get("key_resolution00000001"), await secretOf("key_resolution00000001", 1)];
      return [found?.lastUsedAt?.getTime(), found?.lastUsedIp, secret?.lastUsedAt?.getTime(), secret?.lastUsedIp];
    };
    expect(await use(0, "192.0.2.1")).toEqual([t0.getTime(), "192.0.2.1", t0.getTime(), "192.0.2.1"]);
    expect(await use(LAST_USE_RESOLUTION_MS - 1, "192.0.2.2")).toEqual([t0.getTime(), "192.0.2.1", t0.getTime(), "192.0.2.1"]);
    expect(await use(LAST_USE_RESOLUTION_MS, "192.0.2.3")).toEqual([at(LAST_USE_RESOLUTION_MS).getTime(), "192.0.2.3", at(LAST_USE_RESOLUTION_MS).getTime(), "192.0.2.3"]);
    // Never backwards, even by more than the resolution.
    expect((await use(-LAST_USE_RESOLUTION_MS * 5, "192.0.2.4"))[0]).toBe(at(LAST_USE_RESOLUTION_MS).getTime());
    // Counts are never skipped.
    expect(await storage.stores.usage.summarize("key_resolution00000001", at(-3_600_000), "hour")).toEqual([
      { keyId: "key_resolution00000001", bucket: at(-3_600_000), code: "VALID", count: 1 },
      { keyId: "key_resolution00000001", bucket: t0, code: "VALID", count: 3 },
    ]);
  });

  it("writes a use of the replaced secret after its grace started, however soon after the last one", async () => {
    await seed("key_graceuse0000000001", [{ version: 1, expiresAt: at(7 * 86_400_000) }, { version: 2, graceAfterFirstUseMs: 3_600_000 }]);
    const usage = recorder();
    usage.recordVerification("key_graceuse0000000001", "VALID", at(0), null, 1, 1);
    await usage.flush();
    usage.recordVerification("key_graceuse0000000001", "VALID", at(10_000), null, 1, 2);
    usage.recordVerification("key_graceuse0000000001", "VALID", at(20_000), "198.51.100.1", 1, 1);
    await usage.flush();
    expect(await secretOf("key_graceuse0000000001", 1)).toMatchObject({ lastUsedAt: at(20_000), lastUsedIp: "198.51.100.1", graceStartedAt: at(10_000), expiresAt: at(10_000 + 3_600_000) });
  });

  it("does not send a last use within the resolution of one it wrote with the same cached key; one judged with another entry is sent", async () => {
    await seed("key_heldback0000000001");
    const usage = recorder();
    const [cached, replaced] = [{}, {}];
    const stored = async () => (await secretOf("key_heldback0000000001", 1))?.lastUsedAt;
    usage.recordVerification("key_heldback0000000001", "VALID", at(0), null, 1, 1, cached);
    await usage.flush();
    expect(await stored()).toEqual(at(0));
    // Moved back behind the recorder's back: the database would now take any later use, so whether
    // one is written shows whether it was sent.
    await storage.database.query("UPDATE key_last_uses SET at = $2 WHERE key_id = $1", ["key_heldback0000000001", at(-10 * LAST_USE_RESOLUTION_MS).toISOString()]);
    usage.recordVerification("key_heldback0000000001", "VALID", at(1_000), null, 1, 1, cached);
    await usage.flush();
    expect(await stored()).toEqual(at(-10 * LAST_USE_RESOLUTION_MS));
    usage.recordVerification("key_heldback0000000001", "VALID", at(LAST_USE_RESOLUTION_MS), null, 1, 1, cached);
    await usage.flush();
    expect(await stored()).toEqual(at(LAST_USE_RESOLUTION_MS));
    // The key changed (its cached entry was replaced): the next use is sent however soon.
    await storage.database.query("UPDATE key_last_uses SET at = $2 WHERE key_id = $1", ["key_heldback0000000001", at(-10 * LAST_USE_RESOLUTION_MS).toISOString()]);
    usage.recordVerification("key_heldback0000000001", "VALID", at(LAST_USE_RESOLUTION_MS + 1_000), null, 1, 1, replaced);
    await usage.flush();
    expect(await stored()).toEqual(at(LAST_USE_RESOLUTION_MS + 1_000));
    // Counts are never held back.
    expect(await storage.stores.usage.summarize("key_heldback0000000001", t0, "hour")).toEqual([{ keyId: "key_heldback0000000001", bucket: t0, code: "VALID", count: 4 }]);
  });

  it("remembers the written uses of at most as many keys as it is told, forgetting the oldest: a forgotten key's next use is sent", async () => {
    await seed("key_forgetful000000001");
    await seed("key_forgetful000000002");
    const usage = new UsageRecorder(storage, (error) => failures.push(error), () => {}, undefined, undefined, 1);
    const [first, second] = [{}, {}];
    const stored = async (id: string) => (await secretOf(id, 1))?.lastUsedAt;
    usage.recordVerification("key_forgetful000000001", "VALID", at(0), null, 1, 1, first);
    await usage.flush();
    usage.recordVerification("key_forgetful000000002", "VALID", at(0), null, 1, 1, second);
    await usage.flush();
    // Moved back behind the recorder's back: whether a later use is written shows whether it was sent.
    for (const id of ["key_forgetful000000001", "key_forgetful000000002"]) await storage.database.query("UPDATE key_last_uses SET at = $2 WHERE key_id = $1", [id, at(-10 * LAST_USE_RESOLUTION_MS).toISOString()]);
    usage.recordVerification("key_forgetful000000001", "VALID", at(1_000), null, 1, 1, first);
    usage.recordVerification("key_forgetful000000002", "VALID", at(1_000), null, 1, 1, second);
    await usage.flush();
    expect(await stored("key_forgetful000000001")).toEqual(at(1_000));
    expect(await stored("key_forgetful000000002")).toEqual(at(-10 * LAST_USE_RESOLUTION_MS));
  });

  it("does not keep the cached entry a use was judged with alive: the verification cache's bound holds", async () => {
    await seed("key_heldweak0000000001");
    const usage = recorder();
    let entry: object | undefined = { payload: new Uint8Array(1024) };
    const probe = new WeakRef(entry);
    usage.recordVerification("key_heldweak0000000001", "VALID", at(0), null, 1, 1, entry);
    await usage.flush();
    entry = undefined;
    // Two collections, a macrotask apart: a WeakRef's target is kept until the end of the task that read it.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(probe.deref()).toBeUndefined();
  });

  it("sends a secret's first successful use to start a grace once: a steady flush writes its counts in one statement without the last-use insert", async () => {
    await seed("key_steadyflush0000001");
    const { database, statements } = recording(storage.database);
    const usage = recorder(undefined, new Storage(database));
    const cached = {};
    usage.recordVerification("key_steadyflush0000001", "VALID", at(0), null, 1, 1, cached);
    await usage.flush();
    expect(statements.splice(0)).toEqual(["SELECT set_config('enable_hashjoin', 'off',", "SELECT EXISTS (SELECT", "WITH bound AS", "WITH u AS"]);
    usage.recordVerification("key_steadyflush0000001", "VALID", at(1_000), null, 1, 1, cached);
    await usage.flush();
    expect(statements.splice(0)).toEqual(["WITH bound AS", "INSERT INTO key_usage"]);
    expect(await storage.stores.usage.summarize("key_steadyflush0000001", t0, "hour")).toEqual([{ keyId: "key_steadyflush0000001", bucket: t0, code: "VALID", count: 2 }]);
  });

  it("does not send a token's last use within the resolution of the one it wrote", async () => {
    await storage.stores.tokens.insert({ id: "tok_heldback000000001", name: "held back", scopes: ["keys:verify"], project: null, environment: null, digest: "digest-heldback", hint: "h", expiresAt: null, createdAt: t0, lastUsedAt: null, revokedAt: null });
    const { database, statements } = recording(storage.database);
    const usage = recorder(undefined, new Storage(database));
    usage.recordTokenUse("tok_heldback000000001", at(0));
    await usage.flush();
    expect(statements.splice(0)).toEqual(["UPDATE management_tokens AS"]);
    usage.recordTokenUse("tok_heldback000000001", at(1_000));
    await usage.flush();
    expect(statements.splice(0)).toEqual([]);
    usage.recordTokenUse("tok_heldback000000001", at(LAST_USE_RESOLUTION_MS));
    await usage.flush();
    expect(statements.splice(0)).toEqual(["UPDATE management_tokens AS"]);
    const [row] = await storage.database.query<{ last_used_at: unknown }>("SELECT last_used_at FROM management_tokens WHERE id = $1", ["tok_heldback000000001"]);
    expect(new Date(row?.last_used_at as string)).toEqual(at(LAST_USE_RESOLUTION_MS));
  });

  it("starts and audits a grace in one transaction: a failing audit leaves the grace waiting", async () => {
    await seed("key_graceaudit00000001", [{ version: 1, expiresAt: at(7 * 86_400_000) }, { version: 2, graceAfterFirstUseMs: 3_600_000 }]);
    const failing = recorder(async () => {
      throw new Error("audit refused");
    });
    failing.recordVerification("key_graceaudit00000001", "VALID", at(5_000), null, 1, 2);
    await failing.flush();
    expect(failures.splice(0)).toMatchObject([{ message: "audit refused" }]);
    expect(await secretOf("key_graceaudit00000001", 1)).toMatchObject({ expiresAt: at(7 * 86_400_000), graceStartedAt: null });
    expect(await secretOf("key_graceaudit00000001", 2)).toMatchObject({ graceAfterFirstUseMs: 3_600_000 });

    const audited: GraceStart[] = [];
    const usage = recorder(async (starts) => {
      audited.push(...starts);
    });
    usage.recordVerification("key_graceaudit00000001", "VALID", at(6_000), null, 1, 2);
    await usage.flush();
    expect(audited).toEqual([{ keyId: "key_graceaudit00000001", project: "billing", environment: "live", version: 1, byVersion: 2, startedAt: at(6_000), expiresAt: at(6_000 + 3_600_000) }]);
    usage.recordVerification("key_graceaudit00000001", "VALID", at(7_000), null, 1, 2);
    await usage.flush();
    expect(audited).toHaveLength(1);
  });

  it("writes one flush's counts of several codes and hours, each secret's last use and a use that named none, exactly", async () => {
    await seed("key_mixedflush00000001", [{ version: 1, expiresAt: at(7 * 86_400_000) }, { version: 2 }]);
    const usage = recorder();
    usage.recordVerification("key_mixedflush00000001", "VALID", at(-60_000), "192.0.2.1", 1, 1);
    usage.recordVerification("key_mixedflush00000001", "VALID", at(1_000), null, 2, 2);
    usage.recordVerification("key_mixedflush00000001", "INSUFFICIENT_SCOPE", at(2_000), "192.0.2.2", 1, 2);
    usage.recordVerification("key_mixedflush00000001", "VALID", at(3_000), "203.0.113.3", 4);
    await usage.flush();
    expect(await storage.stores.usage.summarize("key_mixedflush00000001", at(-3_600_000), "hour")).toEqual([
      { keyId: "key_mixedflush00000001", bucket: at(-3_600_000), code: "VALID", count: 1 },
      { keyId: "key_mixedflush00000001", bucket: t0, code: "INSUFFICIENT_SCOPE", count: 1 },
      { keyId: "key_mixedflush00000001", bucket: t0, code: "VALID", count: 6 },
    ]);
    expect((await storage.stores.secrets.listForKey("key_mixedflush00000001")).map((s) => [s.version, s.lastUsedAt, s.lastUsedIp])).toEqual([
      [2, at(2_000), "192.0.2.2"],
      [1, at(-60_000), "192.0.2.1"],
    ]);
    expect(await storage.stores.keys.get("key_mixedflush00000001")).toMatchObject({ lastUsedAt: at(3_000), lastUsedIp: "203.0.113.3" });
  });

  it("keeps a batch the database could not take for the next write: counts exact, the first use's time starts the grace", async () => {
    await seed("key_putback00000000001", [{ version: 1, expiresAt: at(7 * 86_400_000) }, { version: 2, graceAfterFirstUseMs: 3_600_000 }]);
    let down = true;
    const flaky = new Storage({
      ...storage.database,
      transaction: (work) => (down ? Promise.reject(new DatabaseUnavailableError(1)) : storage.database.transaction(work)),
      listen: storage.database.listen.bind(storage.database),
      close: storage.database.close.bind(storage.database),
    });
    const usage = recorder(undefined, flaky);
    usage.recordVerification("key_putback00000000001", "VALID", at(1_000), "192.0.2.1", 1, 2);
    usage.recordVerification("key_putback00000000001", "VALID", at(2_000), null, 1, 1);
    await usage.flush();
    usage.recordVerification("key_putback00000000001", "VALID", at(3_000), null, 2, 2);
    down = false;
    await usage.flush();
    expect(await storage.stores.usage.summarize("key_putback00000000001", t0, "hour")).toEqual([{ keyId: "key_putback00000000001", bucket: t0, code: "VALID", count: 4 }]);
    const secrets = await storage.stores.secrets.listForKey("key_putback00000000001");
    expect(secrets.map((s) => [s.version, s.lastUsedAt, s.lastUsedIp])).toEqual([
      [2, at(3_000), "192.0.2.1"],
      [1, at(2_000), null],
    ]);
    expect(secrets[1]).toMatchObject({ graceStartedAt: at(1_000), expiresAt: at(1_000 + 3_600_000) });
  });

  it("deletes a key's usage counts with the key", async () => {
    await seed("key_deleted00000000001");
    const usage = recorder();
    usage.recordVerification("key_deleted00000000001", "VALID", t0, null, 2, 1);
    await usage.flush();
    expect(await storage.stores.usage.summarize("key_deleted00000000001", t0, "hour")).toHaveLength(1);
    await storage.stores.keys.delete("key_deleted00000000001");
    expect(await storage.database.query("SELECT 1 FROM key_usage WHERE key_id = $1", ["key_deleted00000000001"])).toEqual([]);
  });

  it("drops the counts and last uses of a key deleted after they were gathered, and writes the rest of the batch", async () => {
    await seed("key_deletedmidflush001");
    await seed("key_keptmidflush000001");
    const usage = recorder();
    usage.recordVerification("key_deletedmidflush001", "VALID", t0, "192.0.2.1", 3, 1);
    usage.recordVerification("key_keptmidflush000001", "VALID", t0, "192.0.2.2", 2, 1);
    await storage.stores.keys.delete("key_deletedmidflush001");
    await usage.flush();
    const rowsOf = (id: string) =>
      storage.database.query("SELECT 'count' AS kind FROM key_usage WHERE key_id = $1 UNION ALL SELECT 'use' FROM key_last_uses WHERE key_id = $1 ORDER BY 1", [id]);
    expect(await rowsOf("key_deletedmidflush001")).toEqual([]);
    expect(await rowsOf("key_keptmidflush000001")).toEqual([{ kind: "count" }, { kind: "use" }]);
    expect(await storage.stores.usage.summarize("key_keptmidflush000001", t0, "hour")).toEqual([{ keyId: "key_keptmidflush000001", bucket: t0, code: "VALID", count: 2 }]);
  });

  it("drops the counts of a key deleted after they were gathered from a flush with no last use to send", async () => {
    await seed("key_deletedsteady00001");
    await seed("key_keptsteady00000001");
    const { database, statements } = recording(storage.database);
    const usage = recorder(undefined, new Storage(database));
    const cached = { deleted: {}, kept: {} };
    usage.recordVerification("key_deletedsteady00001", "VALID", at(0), null, 1, 1, cached.deleted);
    usage.recordVerification("key_keptsteady00000001", "VALID", at(0), null, 1, 1, cached.kept);
    await usage.flush();
    usage.recordVerification("key_deletedsteady00001", "VALID", at(1_000), null, 3, 1, cached.deleted);
    usage.recordVerification("key_keptsteady00000001", "VALID", at(1_000), null, 2, 1, cached.kept);
    await storage.stores.keys.delete("key_deletedsteady00001");
    statements.splice(0);
    await usage.flush();
    // Both uses are held back: the flush writes counts only.
    expect(statements).toEqual(["WITH bound AS", "SELECT set_config('enable_hashjoin', 'off',", "INSERT INTO key_usage"]);
    expect(await storage.database.query("SELECT 1 FROM key_usage WHERE key_id = $1", ["key_deletedsteady00001"])).toEqual([]);
    expect(await storage.stores.usage.summarize("key_keptsteady00000001", t0, "hour")).toEqual([{ keyId: "key_keptsteady00000001", bucket: t0, code: "VALID", count: 3 }]);
  });

  it("keeps a deleted key's id while a batch being written may hold its uses, and forgets it after", async () => {
    // Deletions are timed by the database's clock; these uses are timed near it.
    const now = Date.now();
    await seed("key_forgotten000000001");
    await seed("key_laterbatch00000001");
    await storage.stores.keys.delete("key_forgotten000000001");
    await storage.database.query("UPDATE deleted_keys SET deleted_at = now() - interval '2 hours' WHERE id = $1", ["key_forgotten000000001"]);
    const deleted = async () => (await storage.database.query("SELECT id FROM deleted_keys WHERE id = $1", ["key_forgotten000000001"])).length;
    const usage = recorder();
    // A batch put back three hours ago may hold uses of a key deleted two hours ago.
    usage.recordVerification("key_laterbatch00000001", "VALID", new Date(now - 3 * 3_600_000), null, 1, 1);
    await usage.flush();
    expect(await deleted()).toBe(1);
    // A batch of this minute's uses cannot.
    usage.recordVerification("key_laterbatch00000001", "VALID", new Date(now), null, 1, 1);
    await usage.flush();
    expect(await deleted()).toBe(0);
    const [counted] = await storage.database.query<{ count: string | number }>("SELECT sum(count) AS count FROM key_usage WHERE key_id = $1", ["key_laterbatch00000001"]);
    expect(Number(counted?.count)).toBe(2);
  });

  it("lets other work run between the statements of a flush: a macrotask queued as it starts runs before it ends", async () => {
    const ids = Array.from({ length: FLUSH_SLICE_ROWS * 2 + 1 }, (_, i) => `key_slices${String(i).padStart(12, "0")}`);
    await storage.database.query(
      `INSERT INTO api_keys (id, project, environment, name, scopes, version, hint, metadata, created_at, updated_at)
       SELECT id, 'billing', 'test', id, '[]'::jsonb, 1, 'h', '{}'::jsonb, $2, $2 FROM unnest($1::text[]) AS id`,
      [ids, t0.toISOString()],
    );
    const { database, statements } = recording(storage.database);
    let pauses = 0;
    const usage = new UsageRecorder(new Storage(database), (error) => failures.push(error), () => {}, undefined, () => {
      pauses += 1;
      return new Promise((resolve) => setImmediate(resolve));
    });
    for (const id of ids) usage.recordVerification(id, "VALID", at(1), null, 1, 1);
    let ended = false;
    let ranBeforeEnd: boolean | undefined;
    setImmediate(() => (ranBeforeEnd = !ended));
    await usage.flush();
    ended = true;
    expect(ranBeforeEnd).toBe(true);
    // Three slices of rows, a pause before the deletions' look and before each slice.
    expect([statements.filter((statement) => statement.startsWith("WITH u AS")).length, pauses]).toEqual([3, 4]);
    const [written] = await storage.database.query<{ uses: string | number; counts: string | number }>(
      `SELECT (SELECT count(*) FROM key_last_uses WHERE key_id LIKE 'key_slices%') AS uses,
              (SELECT sum(count) FROM key_usage WHERE key_id LIKE 'key_slices%') AS counts`,
    );
    expect([written?.uses, written?.counts].map(Number)).toEqual([ids.length, ids.length]);
  });

  it(`flushes ${MANY} distinct keys verified for the first time with one row write per table`, { timeout: 300_000 }, async () => {
    await storage.database.query(
      `INSERT INTO api_keys (id, project, environment, name, scopes, version, hint, metadata, created_at, updated_at)
       SELECT 'key_many' || lpad(i::text, 14, '0'), 'billing', 'test', 'many-' || i, '[]'::jsonb, 1, 'h', '{}'::jsonb, $1, $1 FROM generate_series(1, $2::integer) AS i`,
      [t0.toISOString(), MANY],
    );
    // Each secret's foreign-key check is planned on the table as its statistics say: refresh them first.
    await storage.analyze();
    await storage.database.query(
      `INSERT INTO key_secrets (digest, key_id, version, hint, created_at)
       SELECT 'many-' || i, 'key_many' || lpad(i::text, 14, '0'), 1, 'h', $1 FROM generate_series(1, $2::integer) AS i`,
      [t0.toISOString(), MANY],
    );
    await storage.analyze();
    const { database, statements } = recording(storage.database);
    const usage = recorder(undefined, new Storage(database));
    for (let i = 1; i <= MANY; i += 1) usage.recordVerification(`key_many${String(i).padStart(14, "0")}`, "VALID", at(i), null, 1, 1);
    await usage.flush();
    // No secret waits for its first use, so none of them is sent to be matched; whether deleted keys
    // concern the batch is one look at their table; counts and last uses in one statement a slice.
    const slices = Array.from({ length: Math.ceil(MANY / FLUSH_SLICE_ROWS) }, () => "WITH u AS");
    expect(statements).toEqual(["SELECT set_config('enable_hashjoin', 'off',", "SELECT EXISTS (SELECT", "WITH bound AS", ...slices]);
    const [written] = await storage.database.query<{ uses: string | number; counts: string | number }>(
      `SELECT (SELECT count(*) FROM key_last_uses WHERE key_id LIKE 'key_many%' AND version = 1) AS uses,
              (SELECT sum(count) FROM key_usage WHERE key_id LIKE 'key_many%') AS counts`,
    );
    expect([written?.uses, written?.counts].map(Number)).toEqual([MANY, MANY]);
    const [last, secret] = [await storage.stores.keys.get(`key_many${String(MANY).padStart(14, "0")}`), await secretOf(`key_many${String(MANY).padStart(14, "0")}`, 1)];
    expect([last?.lastUsedAt, secret?.lastUsedAt]).toEqual([at(MANY), at(MANY)]);
  });
});
