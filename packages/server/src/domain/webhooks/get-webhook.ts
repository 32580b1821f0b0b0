import type { Webhook } from "@keyward/contract";
import type { Caller } from "../authorization";
import type { Services } from "../services";
import { findWebhook } from "./find-webhook";
import { presentWebhook } from "./webhook-view";

export async function getWebhook(services: Services, caller: Caller, id: string): Promise<Webhook> {
  return presentWebhook(await findWebhook(services.storage.stores, caller, id));
}
