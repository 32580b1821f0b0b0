import { routes } from "@keyward/contract";
import { verifyKey } from "../domain/verify-key";
import { defineRoute, type RouteKit } from "./route-kit";

export function registerVerifyRoutes(kit: RouteKit): void {
  defineRoute(kit, routes.verifyKey, async (call) => {
    const answer = await verifyKey(kit.services, call.context.caller, call.body);
    kit.metrics.verifications.inc({ code: answer.code });
    return answer;
  });
}
