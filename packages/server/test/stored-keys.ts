import type { KeyRecord } from "../src/storage/key-store";
import type { Stores } from "../src/storage/stores";

/** A stored key of project "billing", live, created at `createdAt`, with nothing else set unless overridden. */
export function storedKey(id: string, createdAt: Date, overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id, project: "billing", environment: "live", name: id, scopes: [], version: 1, hint: "kw_live_…abcd", expiresAt: null, rotation: null,
    rotatedAt: null, nextRotationAt: null, ipAllowlist: null, rateLimit: null, metadata: {}, destinations: [], createdAt, updatedAt: createdAt,
    lastUsedAt: null, lastUsedIp: null, revokedAt: null, ...overrides,
  };
}

export interface StoredSecret {
  version: number;
  graceAfterFirstUseMs?: number;
  expiresAt?: Date;
}

/** A key at its newest version and each of its secrets (digest `<id>-<version>`). */
export async function seedKey(stores: Stores, id: string, createdAt: Date, versions: readonly StoredSecret[] = [{ version: 1 }]): Promise<void> {
  await stores.keys.insert(storedKey(id, createdAt, { version: Math.max(...versions.map((v) => v.version)) }));
  for (const v of versions) {
    await stores.secrets.insert({
      digest: `${id}-${v.version}`, keyId: id, version: v.version, hint: "kw_live_…abcd", expiresAt: v.expiresAt ?? null, revokedAt: null, createdAt,
      graceAfterFirstUseMs: v.graceAfterFirstUseMs ?? null,
    });
  }
}

/** One secret of a key as the store reads it back. */
export async function storedSecret(stores: Stores, id: string, version: number) {
  return (await stores.secrets.listForKey(id)).find((s) => s.version === version);
}
