import type { Stores } from "../../storage/stores";
import type { WebhookRecord } from "../../storage/webhook-store";
import { notFound } from "../api-error";
import type { Caller } from "../authorization";

/**
 * True when the webhook lies inside the caller's binding: a project-bound token manages only
 * webhooks bound to its project, an environment-bound one only webhooks bound to its environment.
 */
export function webhookVisibleTo(caller: Caller, webhook: Pick<WebhookRecord, "project" | "environment">): boolean {
  if (caller.project !== null && webhook.project !== caller.project) return false;
  if (caller.environment !== null && webhook.environment !== caller.environment) return false;
  return true;
}

/** The webhook, or 404 exactly as for a missing one when it lies outside the caller's binding (SPEC §10). */
export async function findWebhook(stores: Stores, caller: Caller, id: string): Promise<WebhookRecord> {
  const webhook = await stores.webhooks.get(id);
  if (!webhook || !webhookVisibleTo(caller, webhook)) throw notFound(`webhook '${id}'`);
  return webhook;
}
