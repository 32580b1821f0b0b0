import type { Webhook, WebhookDelivery } from "@keyward/contract";
import type { DeliveryRecord } from "../../storage/webhook-delivery-store";
import type { WebhookRecord } from "../../storage/webhook-store";

/** The API's view of a webhook: never its signing secret. */
export function presentWebhook(webhook: WebhookRecord): Webhook {
  return {
    id: webhook.id,
    url: webhook.url,
    events: webhook.events,
    project: webhook.project,
    environment: webhook.environment,
    created_at: webhook.createdAt.toISOString(),
  };
}

/** The delivery log: attempts, status codes and times, never a body. A leased delivery shows its lease end as the next attempt. */
export function presentDelivery(delivery: DeliveryRecord): WebhookDelivery {
  return {
    id: delivery.id,
    webhook_id: delivery.webhookId,
    message_id: delivery.messageId,
    event: delivery.event,
    status: delivery.status,
    attempts: delivery.attempts,
    next_attempt_at: delivery.status === "pending" ? (delivery.nextAttemptAt?.toISOString() ?? null) : null,
    created_at: delivery.createdAt.toISOString(),
  };
}
