import type { AuditVerification } from "@keyward/contract";
import type { AuditRecord } from "../../storage/audit-store";
import { legacyAuditHash } from "../audit-chain";
import type { Services } from "../services";
import { ChainCheck } from "./chain-check";
import { readChainStart, readKeyedFrom } from "./chain-settings";

const BATCH = 1_000;

/**
 * SPEC §12: walks the whole chain from its start (genesis or signed purge anchor), recomputing
 * every keyed hash, and holds it against the signed checkpoints: an edited, inserted or removed
 * event is `first_bad`; a checkpoint (or the recorded head) past the last event is `truncated_after`.
 */
export async function verifyAudit(services: Services): Promise<AuditVerification> {
  const { stores } = services.storage;
  const keys = services.checkpoints.keys;
  const start = await readChainStart(stores.settings, keys);
  const keyedFrom = await readKeyedFrom(stores.settings, keys);
  const { checkpoints } = await services.checkpoints.read();
  const rehash = (event: AuditRecord) => (event.seq < keyedFrom ? legacyAuditHash(event) : keys.hash(event));
  const check = new ChainCheck<AuditRecord>(start, checkpoints, rehash);
  let afterSeq: number | undefined;
  for (;;) {
    const events = await stores.audit.list({ afterSeq, limit: BATCH });
    for (const event of events) if (!check.add(event)) return check.result();
    if (events.length < BATCH) break;
    afterSeq = events.at(-1)?.seq;
  }
  // The head row is in the database too, so it proves nothing alone; it still catches a careless cut.
  const head = await stores.audit.head();
  const last = check.last;
  if (head.seq > last.seq) return check.result({ truncatedAfter: last.seq });
  if (head.seq !== last.seq || head.hash !== last.hash) return check.result({ firstBad: "head" });
  return check.result();
}
