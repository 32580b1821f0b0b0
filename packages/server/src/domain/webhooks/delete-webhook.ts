import type { Caller } from "../authorization";
import { mutate } from "../mutation";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { findWebhook } from "./find-webhook";

/** Deletes the webhook; its queued deliveries go with it (nothing more is sent to its URL). */
export async function deleteWebhook(services: Services, context: RequestContext & { caller: Caller }, id: string): Promise<void> {
  await mutate(services, context, async (m) => {
    const webhook = await findWebhook(m.stores, context.caller, id);
    await m.stores.webhooks.delete(webhook.id);
    await m.audit({ action: "webhook.delete", target: webhook.id, project: webhook.project, environment: webhook.environment, details: { host: new URL(webhook.url).host } });
  });
}
