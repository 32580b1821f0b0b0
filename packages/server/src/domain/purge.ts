import { IDEMPOTENCY_TTL_MS } from "../storage/idempotency-store";
import { signCheckpoint } from "./audit/audit-checkpoint";
import { AUDIT_ANCHOR_SETTING } from "./audit/chain-settings";
import { mutate } from "./mutation";
import type { Services } from "./services";

export const DEFAULT_RETENTION = "365d";

export interface PurgeResult {
  keys: number;
  audit_events: number;
  idempotent_answers: number;
  webhook_deliveries: number;
}

/**
 * Data retention (SPEC §9): keys revoked longer ago than `retentionMs` and audit events older than
 * it go, and saved idempotent answers older than 24 h. The audit chain stays verifiable (SPEC §12):
 * the last removed event becomes its start, as a signed `purge` checkpoint stored with the chain
 * and, once committed, appended to the checkpoint file; the purge is itself recorded.
 * Finished webhook deliveries (succeeded or failed) older than the retention period go too.
 */
export async function purge(services: Services, retentionMs: number, requestId: string): Promise<PurgeResult> {
  const { result, anchor } = await mutate(services, { caller: null, requestId, sourceIp: null }, async (m) => {
    const before = new Date(m.now.getTime() - retentionMs);
    const keys = await m.stores.keys.purgeRevoked(before);
    const audit = await m.stores.audit.purge(before);
    const anchor = audit.last && signCheckpoint(services.checkpoints.keys, "purge", audit.last, m.now);
    if (anchor) await m.stores.settings.set(AUDIT_ANCHOR_SETTING, JSON.stringify(anchor));
    const idempotentAnswers = await m.stores.idempotency.deleteOlderThan(new Date(m.now.getTime() - IDEMPOTENCY_TTL_MS));
    const webhookDeliveries = await m.stores.deliveries.purgeFinished(before);
    const result = { keys, audit_events: audit.removed, idempotent_answers: idempotentAnswers, webhook_deliveries: webhookDeliveries };
    await m.audit({ action: "data.purge", target: null, project: null, environment: null, details: { before: before.toISOString(), ...result } });
    return { result, anchor };
  });
  if (anchor) await services.checkpoints.record(anchor);
  return result;
}
