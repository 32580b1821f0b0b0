import { AuditEvent, type AuditVerification } from "@keyward/contract";
import { GENESIS_HASH } from "../audit-chain";
import { type CheckpointFile, EventDigest } from "./audit-checkpoint";
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
 * The seq of the first event of the oldest checkpoint segment whose content differs from what was
 * signed; segments not wholly in the log (purged, or before a partial export) cannot be checked.
 */
function firstAlteredSeq(events: readonly AuditEvent[], file: CheckpointFile): number | undefined {
  const bySeq = new Map(events.map((event) => [event.seq, event]));
  let altered: number | undefined;
  for (const checkpoint of file.checkpoints) {
    const { from, digest, seq } = checkpoint;
    if (from === undefined || digest === undefined || from > seq || !bySeq.has(from) || !bySeq.has(seq)) continue;
    const segment = Array.from({ length: seq - from + 1 }, (_, offset) => bySeq.get(from + offset));
    // A segment with a gap is the link check's to report, at the gap itself.
    if (segment.some((event) => event === undefined)) continue;
    const recomputed = new EventDigest();
    for (const event of segment) recomputed.add(event as AuditEvent);
    if (recomputed.hex() !== digest && (altered === undefined || from < altered)) altered = from;
  }
  return altered;
}

/**
 * SPEC §12, offline: an exported log against a checkpoint file, with only the public key (the file
 * was read with it). Checked: each event is the next seq and links to the one before; each event a
 * checkpoint names has the signed hash; the content of every event a checkpoint covers hashes to the
 * signed digest; the log starts at the genesis or a signed purge; nothing is missing up to the newest
 * checkpoint's seq. Events after the newest checkpoint are checked for links only: their HMAC needs
 * the pepper, which is what `GET /v1/audit/verify` adds.
 */
export function verifyExportedLog(events: readonly AuditEvent[], file: CheckpointFile): AuditVerification {
  const check = new ChainCheck(startOf(events[0], file), file.checkpoints);
  let brokenSeq: number | undefined;
  for (const event of events) {
    if (check.add({ seq: event.seq, id: event.id, prevHash: event.prev_hash, hash: event.hash })) continue;
    brokenSeq = event.seq;
    break;
  }
  const altered = firstAlteredSeq(events, file);
  if (altered !== undefined && (brokenSeq === undefined || altered < brokenSeq)) {
    const event = events.find((item) => item.seq === altered) as AuditEvent;
    return { ...check.result(), ok: false, first_bad: event.id, truncated_after: null };
  }
  return check.result();
}
