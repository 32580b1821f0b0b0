import type { ListDeliveriesQuery, WebhookDelivery } from "@keyward/contract";
import type { Caller } from "../authorization";
import { decodeCursor, pageOf } from "../cursor";
import type { Services } from "../services";
import { findWebhook } from "./find-webhook";
import { presentDelivery } from "./webhook-view";

/** The delivery log of one webhook, newest first. */
export async function listWebhookDeliveries(services: Services, caller: Caller, id: string, query: ListDeliveriesQuery) {
  const { stores } = services.storage;
  const webhook = await findWebhook(stores, caller, id);
  const rows = await stores.deliveries.list(webhook.id, {
    status: query.status,
    before: positionOf(decodeCursor<string>(query.cursor, "string")),
    limit: query.limit + 1,
  });
  return pageOf<(typeof rows)[number], WebhookDelivery>(rows, query.limit, presentDelivery, (row) => `${row.createdAt.toISOString()} ${row.id}`);
}

function positionOf(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const [time = "", deliveryId = ""] = cursor.split(" ");
  const createdAt = new Date(time);
  return Number.isNaN(createdAt.getTime()) ? undefined : { createdAt, id: deliveryId };
}
