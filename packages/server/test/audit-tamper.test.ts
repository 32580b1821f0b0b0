import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresCluster, startPostgresCluster } from "../../../test/postgres/postgres-cluster";
import { legacyAuditHash } from "../src/domain/audit-chain";
import { AUDIT_ANCHOR_SETTING, AUDIT_KEYED_FROM_SETTING } from "../src/domain/audit/chain-settings";
import { upgradeAuditChain } from "../src/domain/audit/upgrade-audit-chain";
import { purge } from "../src/domain/purge";
import type { AuditRecord } from "../src/storage/audit-store";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject } from "./keyward-under-test";

/**
 * SPEC §12 acceptance: someone who can write the database but not read the pepper edits, deletes
 * and cuts off audit events, recomputing the hashes the only way they can (unkeyed SHA-256, as the
 * chain was before) and forging the purge anchor; `GET /v1/audit/verify` names what they did.
 */
const root = mkdtempSync(join(tmpdir(), "keyward-audit-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What an attacker with database access does: reads rows and writes them back. */
class DatabaseWriter {
  constructor(private readonly k: KeywardUnderTest) {}

  sql<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
    return this.k.keyward.services.storage.database.query<T>(text, values);
  }

  async events(): Promise<AuditRecord[]> {
    return this.k.keyward.services.storage.stores.audit.list({ limit: 10_000 });
  }

  /** Re-links every event from `fromSeq` on with unkeyed hashes and moves the head to the last. */
  async rechainFrom(fromSeq: number): Promise<void> {
    const events = await this.events();
    let previous = events.find((event) => event.seq === fromSeq - 1)?.hash ?? "0".repeat(64);
    for (const event of events.filter((item) => item.seq >= fromSeq)) {
      const hash = legacyAuditHash({ ...event, prevHash: previous });
      await this.sql("UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE seq = $3", [previous, hash, event.seq]);
      previous = hash;
    }
    const last = (await this.events()).at(-1) as AuditRecord;
    await this.sql("UPDATE audit_head SET seq = $1, hash = $2", [last.seq, last.hash]);
  }
}

async function verify(k: KeywardUnderTest) {
  const answer = await k.call("GET", "/v1/audit/verify");
  expect(answer.statusCode).toBe(200);
  return answer.json();
}

async function someEvents(k: KeywardUnderTest, project: string, keys: number): Promise<void> {
  await seedProject(k, project, ["a:read"]);
  for (let index = 0; index < keys; index += 1) await seedKey(k, { project, environment: "live", name: `k${index}`, scopes: ["a:read"] });
}

function tamperCases(open: () => Promise<KeywardUnderTest>) {
  let k: KeywardUnderTest;
  let db: DatabaseWriter;
  beforeAll(async () => {
    k = await open();
    db = new DatabaseWriter(k);
  });
  afterAll(() => k?.close());

  it("reports an event rewritten with every later hash recomputed", async () => {
    await someEvents(k, "rewrite", 4);
    expect(await verify(k)).toMatchObject({ ok: true, first_bad: null, truncated_after: null });
    const [victim] = (await db.events()).filter((event) => event.action === "key.create");
    await db.sql(`UPDATE audit_events SET details = '{"name":"innocent"}' WHERE seq = $1`, [victim?.seq]);
    await db.rechainFrom(victim?.seq as number);
    expect(await verify(k)).toMatchObject({ ok: false, first_bad: victim?.id });
  });

  it("reports newest events cut off, with or without the head row moved back", async () => {
    const fresh = await open();
    const writer = new DatabaseWriter(fresh);
    try {
      await someEvents(fresh, "truncate", 3);
      const checkpoint = (await fresh.call("POST", "/v1/audit/checkpoints", { body: {} })).json();
      expect(await verify(fresh)).toMatchObject({ ok: true, checkpoint: { seq: checkpoint.seq } });
      await writer.sql("DELETE FROM audit_events WHERE seq = $1", [checkpoint.seq]);
      expect(await verify(fresh)).toMatchObject({ ok: false, truncated_after: checkpoint.seq - 1 });
      await writer.sql("DELETE FROM audit_events WHERE seq >= $1", [checkpoint.seq - 2]);
      const last = (await writer.events()).at(-1) as AuditRecord;
      await writer.sql("UPDATE audit_head SET seq = $1, hash = $2", [last.seq, last.hash]);
      expect(await verify(fresh)).toMatchObject({ ok: false, first_bad: null, truncated_after: last.seq });
    } finally {
      await fresh.close();
    }
  });
}

describe("tampering on the embedded database (PGlite)", () => {
  tamperCases(() => openKeywardUnderTest());

  it("reports the oldest events deleted behind a forged purge anchor", async () => {
    const k = await openKeywardUnderTest();
    const db = new DatabaseWriter(k);
    try {
      await someEvents(k, "oldest", 3);
      const events = await db.events();
      const cut = events[2] as AuditRecord;
      const firstLeft = events[3] as AuditRecord;
      await db.sql("DELETE FROM audit_events WHERE seq <= $1", [cut.seq]);
      // The anchor format of earlier releases, then a real checkpoint passed off as a purge.
      await db.sql("INSERT INTO settings (name, value) VALUES ($1, $2)", [AUDIT_ANCHOR_SETTING, `${cut.seq}:${cut.hash}`]);
      expect(await verify(k)).toMatchObject({ ok: false, first_bad: firstLeft.id });
      const signed = (await k.call("POST", "/v1/audit/checkpoints", { body: {} })).json();
      const replayed = { ...signed, kind: "purge", seq: cut.seq, hash: cut.hash };
      await db.sql("UPDATE settings SET value = $2 WHERE name = $1", [AUDIT_ANCHOR_SETTING, JSON.stringify(replayed)]);
      expect(await verify(k)).toMatchObject({ ok: false, first_bad: firstLeft.id });
      await db.sql("UPDATE settings SET value = $2 WHERE name = $1", [AUDIT_ANCHOR_SETTING, JSON.stringify({ ...signed, kind: "purge" })]);
      expect(await verify(k)).toMatchObject({ ok: false });
    } finally {
      await k.close();
    }
  });

  it("cannot be downgraded to the unkeyed hash by removing or moving the keyed-from mark", async () => {
    const k = await openKeywardUnderTest();
    const db = new DatabaseWriter(k);
    try {
      await someEvents(k, "downgrade", 2);
      const [first] = await db.events();
      await db.sql("DELETE FROM settings WHERE name = $1", [AUDIT_KEYED_FROM_SETTING]);
      await db.rechainFrom(1);
      expect(await verify(k)).toMatchObject({ ok: false, first_bad: first?.id });
      await db.sql("INSERT INTO settings (name, value) VALUES ($1, $2)", [AUDIT_KEYED_FROM_SETTING, JSON.stringify({ seq: 1_000, signature: "forged" })]);
      expect(await verify(k)).toMatchObject({ ok: false, first_bad: first?.id });
    } finally {
      await k.close();
    }
  });

  it("after a purge the chain verifies from its signed anchor, which is also in the checkpoint file", async () => {
    const file = join(root, "purge.jsonl");
    const k = await openKeywardUnderTest({ auditCheckpointFile: file });
    try {
      await someEvents(k, "retained", 2);
      k.clock.advance(400 * 86_400_000);
      await seedProject(k, "recent", []);
      const result = await purge(k.keyward.services, 365 * 86_400_000, "purge");
      expect(result.audit_events).toBeGreaterThan(3);
      expect(await verify(k)).toMatchObject({ ok: true, first_bad: null, truncated_after: null });
      const lines = readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line));
      expect(lines.filter((line) => line.kind === "purge").map((line) => line.seq)).toEqual([result.audit_events]);
      const [anchor] = await new DatabaseWriter(k).sql<{ value: string }>("SELECT value FROM settings WHERE name = $1", [AUDIT_ANCHOR_SETTING]);
      expect(JSON.parse(anchor?.value ?? "{}")).toMatchObject({ kind: "purge", seq: result.audit_events });
    } finally {
      await k.close();
    }
  });

  it("checkpoints every N events and on shutdown, each line signed with the pepper's key", async () => {
    const file = join(root, "every.jsonl");
    const k = await openKeywardUnderTest({ auditCheckpointFile: file, auditCheckpointEvery: 3 });
    await someEvents(k, "every", 6);
    const head = await k.keyward.services.storage.stores.audit.head();
    await k.keyward.services.checkpoints.settled();
    const { checkpoints, rejectedLines } = await k.keyward.services.checkpoints.read();
    expect(rejectedLines).toEqual([]);
    const seqs = checkpoints.map((checkpoint) => checkpoint.seq);
    // Taken from the committed head once it is N past the last: at N, or a transaction or two later.
    expect(seqs.length).toBeGreaterThanOrEqual(2);
    expect(seqs.every((seq, index) => seq >= (index === 0 ? 3 : (seqs[index - 1] as number) + 3))).toBe(true);
    expect(seqs.at(-1)).toBeGreaterThan(head.seq - 6);
    await k.close();
    const after = readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line));
    expect(after.at(-1)).toMatchObject({ kind: "checkpoint", seq: head.seq, hash: head.hash });
  });

  it("upgrades a chain of the unkeyed release at start-up and still catches a rewritten old event", async () => {
    const k = await openKeywardUnderTest();
    const db = new DatabaseWriter(k);
    try {
      await someEvents(k, "legacy", 2);
      // What an earlier release left behind: unkeyed hashes, no mark, an unsigned anchor format.
      await db.sql("DELETE FROM settings WHERE name = $1", [AUDIT_KEYED_FROM_SETTING]);
      await db.rechainFrom(1);
      await upgradeAuditChain(k.keyward.services);
      const upgradedAt = (await db.events()).at(-1) as AuditRecord;
      await seedKey(k, { project: "legacy", environment: "test", name: "after-upgrade", scopes: [] });
      const verified = await verify(k);
      expect(verified).toMatchObject({ ok: true, checkpoint: { seq: upgradedAt.seq } });
      expect(verified.checked).toBe(upgradedAt.seq + 1);
      await db.sql(`UPDATE audit_events SET details = '{"forged":true}' WHERE seq = 2`);
      await db.rechainFrom(2);
      expect(await verify(k)).toMatchObject({ ok: false });
    } finally {
      await k.close();
    }
  });
});

describe("tampering on PostgreSQL", () => {
  let cluster: PostgresCluster;
  let count = 0;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
  }, 120_000);
  afterAll(() => cluster?.stop());

  tamperCases(async () => {
    count += 1;
    return openKeywardUnderTest({ databaseUrl: await cluster.createDatabase(`audit${count}`), pepper: "audit-tamper-pepper-0123456789abcdef" });
  });
});
