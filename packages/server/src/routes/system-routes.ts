import { type Health, openApiDocument, routes } from "@keyward/contract";
import { definePublicRoute, type RouteKit } from "./route-kit";

export function registerSystemRoutes(kit: RouteKit, version: string): void {
  const openApi = JSON.stringify(openApiDocument(version));
  definePublicRoute(kit, routes.health, async (_request, reply) => {
    const reachable = await kit.services.storage.reachable();
    const health: Health = reachable ? { status: "ok", database: "ok" } : { status: "degraded", database: "unavailable" };
    if (!reachable) reply.header("retry-after", "1");
    return reply.status(reachable ? 200 : 503).send(health);
  });
  definePublicRoute(kit, routes.metrics, async (_request, reply) => reply.type(kit.metrics.contentType).send(await kit.metrics.text()));
  definePublicRoute(kit, routes.openapi, async (_request, reply) => reply.type("application/json").send(openApi));
}
