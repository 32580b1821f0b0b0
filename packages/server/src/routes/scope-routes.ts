import { routes } from "@keyward/contract";
import { deleteScope } from "../domain/scopes/delete-scope";
import { listScopes } from "../domain/scopes/list-scopes";
import { putScope } from "../domain/scopes/put-scope";
import { defineRoute, type RouteKit } from "./route-kit";

export function registerScopeRoutes(kit: RouteKit): void {
  const { services } = kit;
  defineRoute(kit, routes.putScope, async (call) => {
    const { created, scope } = await putScope(services, call.context, call.params, call.body);
    // SPEC §3: 201 when the PUT created the scope, 200 when it updated it.
    call.reply.status(created ? 201 : 200);
    return scope;
  });
  defineRoute(kit, routes.listScopes, (call) => listScopes(services, call.context.caller, call.params.project, call.query));
  defineRoute(kit, routes.deleteScope, (call) => deleteScope(services, call.context, call.params));
}
