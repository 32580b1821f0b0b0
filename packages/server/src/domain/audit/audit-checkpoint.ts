import { createHash } from "node:crypto";
import { AuditCheckpoint, type AuditEvent } from "@keyward/contract";
import type { AuditHead } from "../../storage/audit-store";
import { canonicalJson } from "../audit-chain";
import type { AuditKeys, AuditVerifier } from "./audit-keys";

export type CheckpointKind = AuditCheckpoint["kind"];

/** What a checkpoint's signature covers; the kind is part of it, so a checkpoint cannot pass for a purge anchor. */
function statementOf(checkpoint: Omit<AuditCheckpoint, "key_id" | "signature">): unknown[] {
  return [`keyward.audit.${checkpoint.kind}.v1`, checkpoint.seq, checkpoint.hash, checkpoint.time, checkpoint.from ?? null, checkpoint.digest ?? null];
}

/** The events `from`…`seq` that a checkpoint covers, for its `digest`. */
export interface CoveredEvents {
  from: number;
  digest: string;
}

export function signCheckpoint(keys: AuditKeys, kind: CheckpointKind, head: AuditHead, time: Date, covered?: CoveredEvents): AuditCheckpoint {
  const unsigned = { kind, seq: head.seq, hash: head.hash, time: time.toISOString(), ...covered };
  return { ...unsigned, key_id: keys.verifier.keyId, signature: keys.sign(statementOf(unsigned)) };
}

/** Builds a checkpoint's `digest`: each event as the export presents it, canonical JSON, one per line. */
export class EventDigest {
  readonly #hash = createHash("sha256");

  add(event: AuditEvent): void {
    this.#hash.update(`${canonicalJson(event)}\n`);
  }

  hex(): string {
    return this.#hash.digest("hex");
  }
}

export function checkpointVerifies(verifier: AuditVerifier, checkpoint: AuditCheckpoint): boolean {
  return checkpoint.key_id === verifier.keyId && verifier.verifies(statementOf(checkpoint), checkpoint.signature);
}

/** One line of a checkpoint file, when it is a well-formed checkpoint signed by `verifier`'s key. */
export function parseCheckpoint(verifier: AuditVerifier, text: string): AuditCheckpoint | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = AuditCheckpoint.safeParse(json);
  return parsed.success && checkpointVerifies(verifier, parsed.data) ? parsed.data : undefined;
}

export interface CheckpointFile {
  /** Checkpoints whose signature verifies, in file order. */
  checkpoints: AuditCheckpoint[];
  /** 1-based numbers of non-empty lines that are not a checkpoint signed by this key. */
  rejectedLines: number[];
}

export function readCheckpointFile(verifier: AuditVerifier, text: string): CheckpointFile {
  const result: CheckpointFile = { checkpoints: [], rejectedLines: [] };
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const checkpoint = parseCheckpoint(verifier, line);
    if (checkpoint) result.checkpoints.push(checkpoint);
    else result.rejectedLines.push(index + 1);
  });
  return result;
}
