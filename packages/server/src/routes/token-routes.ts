import { routes } from "@keyward/contract";
import { createToken } from "../domain/tokens/create-token";
import { deleteToken } from "../domain/tokens/delete-token";
import { listTokens } from "../domain/tokens/list-tokens";
import { defineRoute, type RouteKit } from "./route-kit";

export function registerTokenRoutes(kit: RouteKit): void {
  const { services } = kit;
  defineRoute(kit, routes.createToken, (call) => createToken(services, call.context, call.body));
  defineRoute(kit, routes.listTokens, (call) => listTokens(services, call.context.caller, call.query));
  defineRoute(kit, routes.deleteToken, (call) => deleteToken(services, call.context, call.params.id));
}
