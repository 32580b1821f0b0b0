import { routes } from "@keyward/contract";
import { createWebhook } from "../domain/webhooks/create-webhook";
import { deleteWebhook } from "../domain/webhooks/delete-webhook";
import { getWebhook } from "../domain/webhooks/get-webhook";
import { listWebhookDeliveries } from "../domain/webhooks/list-webhook-deliveries";
import { listWebhooks } from "../domain/webhooks/list-webhooks";
import { defineRoute, type RouteKit } from "./route-kit";

export function registerWebhookRoutes(kit: RouteKit): void {
  const { services } = kit;
  defineRoute(kit, routes.createWebhook, (call) => createWebhook(services, call.context, call.body));
  defineRoute(kit, routes.listWebhooks, (call) => listWebhooks(services, call.context.caller, call.query));
  defineRoute(kit, routes.getWebhook, (call) => getWebhook(services, call.context.caller, call.params.id));
  defineRoute(kit, routes.deleteWebhook, (call) => deleteWebhook(services, call.context, call.params.id));
  defineRoute(kit, routes.listWebhookDeliveries, (call) => listWebhookDeliveries(services, call.context.caller, call.params.id, call.query));
}
