import { AuditEvent, type AuditVerification } from "@keyward/contract";
import { GENESIS_HASH } from "../audit-chain";
import type { CheckpointFile } from "./audit-checkpoint";
import { ChainCheck, type ChainStart } from "./chain-check";

/** The events of an export (`GET /v1/audit/export`, JSON lines); names the first line that is not an event. */
export function parseExportedLog(text: string): AuditEvent[] {
  const events: AuditEvent[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new Error(`log line ${index + 1}: must be one JSON object per line, as GET /v1/audit/export writes`);
    }
    const parsed = AuditEvent.safeParse(json);
    if (!parsed.success) throw new Error(`log line ${index + 1}: must be an audit event with seq, prev_hash and hash, as GET /v1/audit/export writes`);
    events.push(parsed.data);
  });
  return events;
}

/**
 * Where an exported log must start: the genesis, or right after a signed `purge` checkpoint. A log
 * that starts anywhere else lost its oldest events (or is a partial export) and its first event is bad.
 */
function startOf(first: AuditEvent | undefined, file: CheckpointFile): ChainStart {
  if (!first || first.seq === 1) return { seq: 0, hash: GENESIS_HASH };
  const anchor = file.checkpoints.find((checkpoint) => checkpoint.kind === "purge" && checkpoint.seq === first.seq - 1);
  return anchor ? { seq: anchor.seq, hash: anchor.hash } : { seq: first.seq - 1, hash: "no signed start" };
}

/**
 * SPEC §12, offline: an exported log against a checkpoint file, with only the public key (the file
 * was read with it). Checked: each event is the next seq and links to the one before; each event a
 * checkpoint names has the signed hash; the log starts at the genesis or a signed purge; nothing is
 * missing after the newest checkpoint's seq. Without the pepper an event's HMAC cannot be recomputed:
 * that part is what `GET /v1/audit/verify` adds.
 */
export function verifyExportedLog(events: readonly AuditEvent[], file: CheckpointFile): AuditVerification {
  const check = new ChainCheck(startOf(events[0], file), file.checkpoints);
  for (const event of events) {
    if (!check.add({ seq: event.seq, id: event.id, prevHash: event.prev_hash, hash: event.hash })) break;
  }
  return check.result();
}
