import type { ListWebhooksQuery, Webhook } from "@keyward/contract";
import type { Caller } from "../authorization";
import { decodeCursor, pageOf } from "../cursor";
import type { Services } from "../services";
import { presentWebhook } from "./webhook-view";

/** The webhooks inside the caller's binding, by id. */
export async function listWebhooks(services: Services, caller: Caller, query: ListWebhooksQuery) {
  const rows = await services.storage.stores.webhooks.list({
    project: caller.project,
    environment: caller.environment,
    only: query.project,
    after: decodeCursor<string>(query.cursor, "string"),
    limit: query.limit + 1,
  });
  return pageOf<(typeof rows)[number], Webhook>(rows, query.limit, presentWebhook, (webhook) => webhook.id);
}
