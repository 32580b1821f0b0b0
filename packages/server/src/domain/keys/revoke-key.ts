import type { ApiKey } from "@keyward/contract";
import type { Caller } from "../authorization";
import { presentKey } from "../key-view";
import { mutate } from "../mutation";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { findKey } from "./find-key";

/** Every secret of the key stops verifying on the next call, on every instance. Revoking twice changes nothing. */
export function revokeKey(services: Services, context: RequestContext & { caller: Caller }, id: string): Promise<ApiKey> {
  return mutate(services, context, async (m) => {
    const key = await findKey(m.stores, context.caller, id, { lock: true });
    if (key.revokedAt) return presentKey(key, m.now);
    const revoked = { ...key, revokedAt: m.now, updatedAt: m.now };
    await m.stores.keys.update(revoked);
    await m.stores.secrets.revokeAll(key.id, m.now);
    await m.audit({ action: "key.revoke", target: key.id, project: key.project, environment: key.environment, details: { version: key.version } });
    m.changed({ kind: "key", id: key.id });
    return presentKey(revoked, m.now);
  });
}
