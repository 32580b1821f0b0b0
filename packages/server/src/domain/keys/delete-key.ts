import type { Caller } from "../authorization";
import { mutate } from "../mutation";
import { keyEvent } from "../webhooks/webhook-event";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { findKey } from "./find-key";

/** Revokes and deletes: the key, its secrets and usage go; its audit events stay. */
export async function deleteKey(services: Services, context: RequestContext & { caller: Caller }, id: string): Promise<void> {
  await mutate(services, context, async (m) => {
    const key = await findKey(m.stores, context.caller, id, { lock: true });
    await m.stores.keys.delete(key.id);
    await m.audit({ action: "key.delete", target: key.id, project: key.project, environment: key.environment, details: { name: key.name } });
    await m.emit(keyEvent("key.deleted", { ...key, revokedAt: key.revokedAt ?? m.now }, m.now));
    m.changed({ kind: "key", id: key.id });
  });
}
