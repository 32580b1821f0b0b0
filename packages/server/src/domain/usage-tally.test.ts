import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedKey, type StoredSecret, storedSecret } from "../../test/stored-keys";
import { Storage } from "../storage/storage";
import { UsageRecorder } from "./usage-recorder";

/** The per-verification side of the usage recorder: what it gathers between writes, as the writes show it. */
const t0 = new Date("2026-03-01T10:00:00.000Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

describe("usage tallies of secrets", () => {
  let storage: Storage;
  const failures: unknown[] = [];
  const recorder = () => new UsageRecorder(storage, (error) => failures.push(error));
  beforeAll(async () => {
    storage = await Storage.open({});
    await storage.stores.projects.insert({ name: "billing", description: null, createdAt: t0 });
  });
  afterAll(async () => {
    await storage?.close();
    expect(failures).toEqual([]);
  });
  const seed = (id: string, versions: readonly StoredSecret[]) => seedKey(storage.stores, id, t0, versions);
  const secretOf = (id: string, version: number) => storedSecret(storage.stores, id, version);

  it("keeps the latest use, and the last known address when a later use has none", async () => {
    await seed("key_tallyaddress000001", [{ version: 1 }]);
    const usage = recorder();
    usage.recordVerification("key_tallyaddress000001", "VALID", at(0), "192.0.2.1", 1, 1);
    usage.recordVerification("key_tallyaddress000001", "INSUFFICIENT_SCOPE", at(5_000), null, 1, 1);
    await usage.flush();
    expect(await secretOf("key_tallyaddress000001", 1)).toMatchObject({ lastUsedAt: at(5_000), lastUsedIp: "192.0.2.1" });
  });

  it("starts a grace at the first successful use among several, not at a failed one or a later one", async () => {
    await seed("key_tallygrace00000001", [{ version: 1, expiresAt: at(7 * 86_400_000) }, { version: 2, graceAfterFirstUseMs: 3_600_000 }]);
    const usage = recorder();
    usage.recordVerification("key_tallygrace00000001", "INSUFFICIENT_SCOPE", at(5_000), null, 1, 2);
    usage.recordVerification("key_tallygrace00000001", "VALID", at(10_000), null, 1, 2);
    usage.recordVerification("key_tallygrace00000001", "VALID", at(20_000), "198.51.100.7", 1, 2);
    await usage.flush();
    expect(await secretOf("key_tallygrace00000001", 1)).toMatchObject({ graceStartedAt: at(10_000), expiresAt: at(10_000 + 3_600_000) });
    expect(await secretOf("key_tallygrace00000001", 2)).toMatchObject({ lastUsedAt: at(20_000), lastUsedIp: "198.51.100.7" });
  });

  it("leaves a batch being written as it was when a use arrives meanwhile, and writes that use with the next", async () => {
    await seed("key_tallywhilewrite001", [{ version: 1 }]);
    // The write is held at the start of its transaction (it has taken what it writes by then) until the next use is recorded.
    let entered!: () => void;
    const inTransaction = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const held: Storage = Object.assign(Object.create(storage) as Storage, {
      transaction: async <T>(work: Parameters<Storage["transaction"]>[0]): Promise<T> => {
        entered();
        await released;
        return storage.transaction(work) as Promise<T>;
      },
    });
    const usage = new UsageRecorder(held, (error) => failures.push(error));
    usage.recordVerification("key_tallywhilewrite001", "VALID", at(0), "192.0.2.10", 1, 1);
    const writing = usage.flush();
    await inTransaction;
    usage.recordVerification("key_tallywhilewrite001", "VALID", at(120_000), "192.0.2.11", 1, 1);
    release();
    await writing;
    expect(await secretOf("key_tallywhilewrite001", 1)).toMatchObject({ lastUsedAt: at(0), lastUsedIp: "192.0.2.10" });
    await usage.flush();
    expect(await secretOf("key_tallywhilewrite001", 1)).toMatchObject({ lastUsedAt: at(120_000), lastUsedIp: "192.0.2.11" });
  });
});
