import { AuditCheckpoint } from "@keyward/contract";
import type { SettingsStore } from "../../storage/settings-store";
import { GENESIS_HASH } from "../audit-chain";
import { checkpointVerifies } from "./audit-checkpoint";
import type { AuditKeys } from "./audit-keys";
import type { ChainStart } from "./chain-check";

/**
 * Where the chain starts after `keyward purge` removed its oldest events: the signed `purge`
 * checkpoint of the last removed event (releases before the keyed chain stored an unsigned
 * `seq:hash`, re-signed once at start-up). An anchor whose signature fails is ignored: the chain
 * must then start at the genesis, so deleting old events and forging the anchor shows.
 */
export const AUDIT_ANCHOR_SETTING = "audit_anchor";

/**
 * The first seq hashed with the keyed HMAC, signed; events before it carry the unkeyed SHA-256 of
 * earlier releases. Missing or badly signed means 1: every event must be keyed, so nobody can
 * downgrade keyed events to the unkeyed hash by moving this mark.
 */
export const AUDIT_KEYED_FROM_SETTING = "audit_keyed_from";

const GENESIS: ChainStart = { seq: 0, hash: GENESIS_HASH };

export async function readChainStart(settings: SettingsStore, keys: AuditKeys): Promise<ChainStart> {
  const anchor = parseAnchor(await settings.get(AUDIT_ANCHOR_SETTING));
  return anchor && checkpointVerifies(keys.verifier, anchor) ? { seq: anchor.seq, hash: anchor.hash } : GENESIS;
}

export function parseAnchor(text: string | undefined): AuditCheckpoint | undefined {
  if (text === undefined || !text.startsWith("{")) return undefined;
  try {
    const parsed = AuditCheckpoint.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.kind === "purge" ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The unsigned `seq:hash` anchor of releases before the keyed chain. */
export function parseLegacyAnchor(text: string | undefined): ChainStart | undefined {
  const match = text === undefined ? null : /^(\d+):([0-9a-f]{64})$/.exec(text);
  return match ? { seq: Number(match[1]), hash: match[2] as string } : undefined;
}

function keyedFromStatement(seq: number): unknown[] {
  return ["keyward.audit.keyed-from.v1", seq];
}

export function signKeyedFrom(keys: AuditKeys, seq: number): string {
  return JSON.stringify({ seq, signature: keys.sign(keyedFromStatement(seq)) });
}

export async function readKeyedFrom(settings: SettingsStore, keys: AuditKeys): Promise<number> {
  const text = await settings.get(AUDIT_KEYED_FROM_SETTING);
  try {
    const mark = JSON.parse(text ?? "null") as { seq?: unknown; signature?: unknown } | null;
    if (typeof mark?.seq !== "number" || typeof mark.signature !== "string") return 1;
    return keys.verifier.verifies(keyedFromStatement(mark.seq), mark.signature) ? mark.seq : 1;
  } catch {
    return 1;
  }
}
