import type { Environment } from "@keyward/contract";
import { UniqueViolationError } from "../storage/database-error";
import type { Stores } from "../storage/stores";
import { conflict } from "./api-error";
import { nameTaken } from "./keys/find-key";
import type { RequestContext } from "./request-context";
import { sealAnswer } from "./sealed-answer";
import type { Services } from "./services";
import { CHANGES_CHANNEL, type Change, encodeChange } from "./verification-cache";
import { enqueueEvent, type WebhookEvent } from "./webhooks/webhook-event";

export interface AuditEntry {
  action: string;
  target: string | null;
  project: string | null;
  environment: Environment | null;
  /** Never secret material. */
  details?: Record<string, unknown>;
}

/**
 * One change to Keyward's state: its writes, its audit events, the cache entries it invalidates and
 * (for an idempotent request) its saved answer, all committed in one transaction or not at all.
 */
export class Mutation {
  /** One instant for the whole change. */
  readonly now: Date;
  readonly changes: Change[] = [];
  /** Webhook deliveries this change queued (committed with it). */
  queuedDeliveries = 0;

  constructor(
    readonly stores: Stores,
    private readonly services: Services,
    private readonly context: RequestContext,
  ) {
    this.now = services.clock();
  }

  get caller() {
    return this.context.caller;
  }

  async audit(entry: AuditEntry): Promise<void> {
    await appendAudit(this.stores, this.services, this.context, entry, this.now);
  }

  changed(change: Change): void {
    this.changes.push(change);
  }

  /** Queues the event's webhook deliveries in this transaction (SPEC §15). */
  async emit(event: WebhookEvent): Promise<void> {
    this.queuedDeliveries += await enqueueEvent(this.stores, this.services.issuer, event, this.now);
  }
}

export async function appendAudit(stores: Stores, services: Services, context: RequestContext, entry: AuditEntry, time: Date): Promise<void> {
  const head = await stores.audit.lockHead();
  const event = {
    seq: head.seq + 1,
    id: services.issuer.id("evt"),
    time,
    actor: context.caller?.id ?? null,
    action: entry.action,
    target: entry.target,
    project: entry.project,
    environment: entry.environment,
    sourceIp: context.sourceIp,
    requestId: context.requestId,
    details: entry.details ?? {},
    prevHash: head.hash,
  };
  await stores.audit.append({ ...event, hash: services.checkpoints.keys.hash(event) });
  services.checkpoints.appended(event.seq);
}

/** Runs `work` as one Mutation, then evicts what it changed from this instance's cache. */
export async function mutate<T>(services: Services, context: RequestContext, work: (mutation: Mutation) => Promise<T>): Promise<T> {
  let changes: Change[] = [];
  let queuedDeliveries = 0;
  const result = await services.storage.transaction(async (stores) => {
    const mutation = new Mutation(stores, services, context);
    const value = await work(mutation);
    const idempotency = context.idempotency;
    if (idempotency) {
      await stores.idempotency.insert({
        tokenId: idempotency.tokenId,
        keyDigest: idempotency.keyDigest,
        fingerprint: idempotency.fingerprint,
        status: idempotency.status,
        sealed: sealAnswer(idempotency.sealingKey, idempotency.tokenId, value),
        createdAt: mutation.now,
      });
    }
    for (const change of mutation.changes) await stores.notify(CHANGES_CHANNEL, encodeChange(change));
    changes = mutation.changes;
    queuedDeliveries = mutation.queuedDeliveries;
    return value;
  }).catch((error: unknown) => {
    throw raceLost(error);
  });
  for (const change of changes) services.cache.apply(change);
  if (queuedDeliveries > 0) services.webhooks.wake();
  return result;
}

/**
 * A unique index refused a write whose check passed: a concurrent request got there first. That is
 * the same conflict the check reports (SPEC §11: 409, never 500). Saved idempotent answers are
 * left to the idempotency layer, which replays the winner's answer.
 */
function raceLost(error: unknown): unknown {
  if (!(error instanceof UniqueViolationError) || error.constraint.startsWith("idempotency_records")) return error;
  if (error.constraint === "api_keys_live_name") return nameTaken("body.name");
  return conflict("a concurrent request changed the same object; read it again and retry");
}
