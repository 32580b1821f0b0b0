import type { ApiKey } from "@keyward/contract";
import type { KeyRecord } from "../../storage/key-store";
import type { Caller } from "../authorization";
import { presentKey } from "../key-view";
import { type Mutation, mutate } from "../mutation";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { keyEvent } from "../webhooks/webhook-event";
import { findKey } from "./find-key";

/** Every secret of the key stops verifying on the next call, on every instance. Revoking twice changes nothing. */
export function revokeKey(services: Services, context: RequestContext & { caller: Caller }, id: string): Promise<ApiKey> {
  return mutate(services, context, async (m) => {
    const key = await findKey(m.stores, context.caller, id, { lock: true });
    return presentKey(await revokeLockedKey(m, key), m.now);
  });
}

/** The revocation itself, for a key already found and locked in `m` (also used by leak response). */
export async function revokeLockedKey(m: Mutation, key: KeyRecord, details: Record<string, unknown> = {}): Promise<KeyRecord> {
  if (key.revokedAt) return key;
  const revoked = { ...key, revokedAt: m.now, updatedAt: m.now };
  await m.stores.keys.update(revoked);
  await m.stores.secrets.revokeAll(key.id, m.now);
  await m.audit({ action: "key.revoke", target: key.id, project: key.project, environment: key.environment, details: { version: key.version, ...details } });
  m.changed({ kind: "key", id: key.id });
  await m.emit(keyEvent("key.revoked", revoked, m.now));
  return revoked;
}
