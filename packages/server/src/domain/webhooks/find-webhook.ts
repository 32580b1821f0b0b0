import type { Stores } from "../../storage/stores";
import type { WebhookRecord } from "../../storage/webhook-store";
import { notFound } from "../api-error";
import { type Caller, requireVisible } from "../authorization";

/**
 * The webhook, or 404 exactly as for a missing one when it lies outside the caller's binding
 * (SPEC §10): a project-bound token manages only its project's webhooks, an environment-bound one
 * only its environment's.
 */
export async function findWebhook(stores: Stores, caller: Caller, id: string): Promise<WebhookRecord> {
  const webhook = await stores.webhooks.get(id);
  if (!webhook) throw notFound(`webhook '${id}'`);
  requireVisible(caller, webhook, `webhook '${id}'`);
  return webhook;
}
