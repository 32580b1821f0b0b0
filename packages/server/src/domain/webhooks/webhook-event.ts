import type { Environment, WebhookEventType, WebhookPayload } from "@keyward/contract";
import type { KeyRecord } from "../../storage/key-store";
import type { Stores } from "../../storage/stores";
import type { TokenRecord } from "../../storage/token-store";
import { presentKey } from "../key-view";
import { presentToken } from "../token-view";
import type { SecretIssuer } from "../secret-issuer";

/** Something that happened, for the webhooks subscribed to it (SPEC §15). Never holds a secret. */
export interface WebhookEvent {
  type: WebhookEventType;
  project: string | null;
  environment: Environment | null;
  data: WebhookPayload["data"];
}

/**
 * Writes the event and one queued delivery per matching webhook, inside the caller's transaction:
 * the deliveries exist if and only if the change they announce was committed. Answers how many
 * deliveries were queued.
 */
export async function enqueueEvent(stores: Stores, issuer: SecretIssuer, event: WebhookEvent, now: Date): Promise<number> {
  const subscribers = await stores.webhooks.subscribers(event.type, event.project, event.environment);
  if (subscribers.length === 0) return 0;
  const payload: WebhookPayload = { type: event.type, timestamp: now.toISOString(), data: event.data };
  const messageId = issuer.id("msg");
  await stores.deliveries.insertMessage({
    id: messageId,
    type: event.type,
    project: event.project,
    environment: event.environment,
    payload: JSON.stringify(payload),
    createdAt: now,
  });
  for (const webhook of subscribers) {
    await stores.deliveries.enqueue({ id: issuer.id("dlv"), webhookId: webhook.id, messageId, dueAt: now, createdAt: now });
  }
  return subscribers.length;
}

/** A key event: the key as the API shows it (its hint, never a secret). */
export function keyEvent(type: WebhookEventType, key: KeyRecord, now: Date, extra: Omit<WebhookPayload["data"], "key"> = {}): WebhookEvent {
  return { type, project: key.project, environment: key.environment, data: { key: presentKey(key, now), ...extra } };
}

export function tokenEvent(type: WebhookEventType, token: TokenRecord): WebhookEvent {
  return { type, project: token.project, environment: token.environment, data: { token: presentToken(token) } };
}
