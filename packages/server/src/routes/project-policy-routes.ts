import { routes } from "@keyward/contract";
import { getProjectPolicy } from "../domain/projects/get-project-policy";
import { putProjectPolicy } from "../domain/projects/put-project-policy";
import { defineRoute, type RouteKit } from "./route-kit";

export function registerProjectPolicyRoutes(kit: RouteKit): void {
  const { services } = kit;
  defineRoute(kit, routes.getProjectPolicy, (call) => getProjectPolicy(services, call.context.caller, call.params.project));
  defineRoute(kit, routes.putProjectPolicy, (call) => putProjectPolicy(services, call.context, call.params.project, call.body));
}
