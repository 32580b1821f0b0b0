import type { AuditVerification } from "@keyward/contract";
import { auditHash, GENESIS_HASH } from "../audit-chain";
import type { Services } from "../services";

/** Where the chain starts after `keyward purge` removed its oldest events: `seq:hash` of the last removed. */
export const AUDIT_ANCHOR_SETTING = "audit_anchor";
const BATCH = 1_000;

/**
 * Walks the whole chain: each event must link to the one before (or to the purge anchor), hash to
 * what it says, and the last must be the recorded head. `first_bad` is the first event that fails.
 */
export async function verifyAudit(services: Services): Promise<AuditVerification> {
  const { stores } = services.storage;
  const anchor = await stores.settings.get(AUDIT_ANCHOR_SETTING);
  const [anchorSeq, anchorHash] = anchor ? anchor.split(":") : ["0", GENESIS_HASH];
  let expectedSeq = Number(anchorSeq) + 1;
  let previousHash = anchorHash ?? GENESIS_HASH;
  let checked = 0;
  let afterSeq: number | undefined;
  for (;;) {
    const events = await stores.audit.list({ afterSeq, limit: BATCH });
    for (const event of events) {
      const { hash, ...content } = event;
      if (event.seq !== expectedSeq || event.prevHash !== previousHash || auditHash(content) !== hash) {
        return { ok: false, checked, first_bad: event.id };
      }
      checked += 1;
      expectedSeq += 1;
      previousHash = hash;
    }
    if (events.length < BATCH) break;
    afterSeq = events.at(-1)?.seq;
  }
  const head = await stores.audit.head();
  // Events cut off the end leave a head that points past the last one.
  if (head.seq !== expectedSeq - 1 || head.hash !== previousHash) return { ok: false, checked, first_bad: "head" };
  return { ok: true, checked, first_bad: null };
}
