import { Readable } from "node:stream";
import { routes } from "@keyward/contract";
import { exportAudit } from "../domain/audit/export-audit";
import { listAudit } from "../domain/audit/list-audit";
import { verifyAudit } from "../domain/audit/verify-audit";
import { defineRoute, type RouteKit } from "./route-kit";

export function registerAuditRoutes(kit: RouteKit): void {
  defineRoute(kit, routes.listAudit, (call) => listAudit(kit.services, call.context.caller, call.query));
  defineRoute(kit, routes.verifyAudit, () => verifyAudit(kit.services));
  defineRoute(kit, routes.exportAudit, async (call) => {
    call.reply.type("application/x-ndjson");
    return Readable.from(exportAudit(kit.services, call.context.caller, call.query));
  });
  defineRoute(kit, routes.createAuditCheckpoint, () => kit.services.checkpoints.checkpoint());
}
