import type { ExportAuditQuery } from "@keyward/contract";
import type { AuditRecord } from "../../storage/audit-store";
import { presentAuditEvent } from "../audit-chain";
import type { Caller } from "../authorization";
import type { Services } from "../services";

const BATCH = 1_000;

/** A bound token sees its own project's events and none of the other environment's (SPEC §2, §10). */
function visibleTo(caller: Caller, event: AuditRecord): boolean {
  if (caller.project !== null && event.project !== caller.project) return false;
  return caller.environment === null || event.environment === null || event.environment === caller.environment;
}

/**
 * SPEC §12: every event from `since` on, oldest first, one JSON object per line with its
 * `prev_hash` and `hash`, read in batches so a long log streams in constant memory. An unbound
 * token's export is the whole chain, which `keyward audit verify --log` checks offline.
 */
export async function* exportAudit(services: Services, caller: Caller, query: ExportAuditQuery): AsyncGenerator<string> {
  const since = query.since ? new Date(query.since) : undefined;
  let afterSeq: number | undefined;
  for (;;) {
    const events = await services.storage.stores.audit.list({ since, afterSeq, limit: BATCH });
    const lines = events.filter((event) => visibleTo(caller, event)).map((event) => `${JSON.stringify(presentAuditEvent(event))}\n`);
    if (lines.length > 0) yield lines.join("");
    if (events.length < BATCH) return;
    afterSeq = events.at(-1)?.seq;
  }
}
