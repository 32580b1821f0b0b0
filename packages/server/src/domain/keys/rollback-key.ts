import { type ApiKey, parseDuration } from "@keyward/contract";
import { conflict } from "../api-error";
import type { Caller } from "../authorization";
import { presentKey } from "../key-view";
import { mutate } from "../mutation";
import { keyEvent } from "../webhooks/webhook-event";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { findKey, requireNotRevoked } from "./find-key";

/**
 * Undoes the latest rotation while the previous secret still verifies: the new secret is revoked
 * and the previous one is current again, with no expiry. The key's version goes back to the
 * previous secret's, so whoever stored the new secret can tell it is no longer current.
 */
export function rollbackKey(services: Services, context: RequestContext & { caller: Caller }, id: string): Promise<ApiKey> {
  return mutate(services, context, async (m) => {
    const key = await findKey(m.stores, context.caller, id, { lock: true });
    requireNotRevoked(key);
    const secrets = await m.stores.secrets.listForKey(key.id);
    const current = secrets.find((secret) => secret.version === key.version);
    const previous = secrets.find(
      (secret) => secret.version < key.version && !secret.revokedAt && (secret.expiresAt === null || secret.expiresAt > m.now),
    );
    if (!current || !previous) {
      throw conflict(`key '${key.id}' has no rotation to roll back: the previous secret has expired or was revoked`);
    }
    await m.stores.secrets.update({ ...current, revokedAt: m.now });
    await m.stores.secrets.update({ ...previous, expiresAt: null, graceStartedAt: null });
    const rotatedAt = previous.version > 1 ? previous.createdAt : null;
    const every = key.rotation ? parseDuration(key.rotation.every) : undefined;
    const restored = {
      ...key,
      version: previous.version,
      hint: previous.hint,
      rotatedAt,
      nextRotationAt: every ? new Date((rotatedAt ?? key.createdAt).getTime() + every) : null,
      updatedAt: m.now,
    };
    await m.stores.keys.update(restored);
    await m.audit({
      action: "key.rollback",
      target: key.id,
      project: key.project,
      environment: key.environment,
      details: { version: previous.version, revoked_version: current.version },
    });
    m.changed({ kind: "key", id: key.id });
    await m.emit(keyEvent("key.rolled_back", restored, m.now));
    return presentKey(restored, m.now);
  });
}
