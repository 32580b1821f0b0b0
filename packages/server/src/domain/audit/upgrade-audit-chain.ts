import type { Services } from "../services";
import { signCheckpoint } from "./audit-checkpoint";
import { AUDIT_ANCHOR_SETTING, AUDIT_KEYED_FROM_SETTING, parseLegacyAnchor, signKeyedFrom } from "./chain-settings";

/**
 * Start-up step for a database whose chain predates the keyed hash (SQL migrations cannot do it:
 * the key is derived from the pepper, which the database never sees). Existing events keep their
 * unkeyed hashes; a signed mark says where keyed hashing starts, and the first keyed event's HMAC
 * covers the last unkeyed hash, so the old prefix can no longer be rewritten either. An unsigned
 * purge anchor of an earlier release is signed. Both are trusted as found, once: at the first start
 * of this release (no mark yet, no checkpoint signed with this key). A checkpoint of the head is
 * written right after, so the upgrade point is in the checkpoint file too.
 */
export async function upgradeAuditChain(services: Services): Promise<void> {
  const keys = services.checkpoints.keys;
  // Checkpoints signed with this key mean this database was keyed before: a missing mark is then
  // tampering (someone hoping a restart re-blesses a recomputed unkeyed chain), not an upgrade.
  const keyedBefore = (await services.checkpoints.read()).checkpoints.length > 0;
  const upgraded = await services.storage.transaction(async (stores) => {
    const head = await stores.audit.lockHead();
    if (keyedBefore || (await stores.settings.get(AUDIT_KEYED_FROM_SETTING)) !== undefined) return undefined;
    await stores.settings.set(AUDIT_KEYED_FROM_SETTING, signKeyedFrom(keys, head.seq + 1));
    const legacy = parseLegacyAnchor(await stores.settings.get(AUDIT_ANCHOR_SETTING));
    const anchor = legacy && signCheckpoint(keys, "purge", legacy, services.clock());
    if (anchor) await stores.settings.set(AUDIT_ANCHOR_SETTING, JSON.stringify(anchor));
    return { hadEvents: head.seq > 0, anchor };
  });
  if (upgraded?.anchor) await services.checkpoints.record(upgraded.anchor);
  if (upgraded?.hadEvents) await services.checkpoints.checkpoint();
}
