import { routes } from "@keyward/contract";
import { createKey } from "../domain/keys/create-key";
import { deleteKey } from "../domain/keys/delete-key";
import { getKey } from "../domain/keys/get-key";
import { getKeyUsage } from "../domain/keys/get-key-usage";
import { listKeys } from "../domain/keys/list-keys";
import { revokeKey } from "../domain/keys/revoke-key";
import { rollbackKey } from "../domain/keys/rollback-key";
import { rotateKey } from "../domain/keys/rotate-key";
import { updateKey } from "../domain/keys/update-key";
import { defineRoute, type RouteKit } from "./route-kit";

export function registerKeyRoutes(kit: RouteKit): void {
  const { services } = kit;
  defineRoute(kit, routes.createKey, (call) => createKey(services, call.context, call.body));
  defineRoute(kit, routes.listKeys, (call) => listKeys(services, call.context.caller, call.query));
  defineRoute(kit, routes.getKey, (call) => getKey(services, call.context.caller, call.params.id));
  defineRoute(kit, routes.updateKey, (call) => updateKey(services, call.context, call.params.id, call.body));
  defineRoute(kit, routes.rotateKey, (call) => rotateKey(services, call.context, call.params.id, call.body));
  defineRoute(kit, routes.rollbackKey, (call) => rollbackKey(services, call.context, call.params.id));
  defineRoute(kit, routes.revokeKey, (call) => revokeKey(services, call.context, call.params.id));
  defineRoute(kit, routes.deleteKey, (call) => deleteKey(services, call.context, call.params.id));
  defineRoute(kit, routes.getKeyUsage, (call) => getKeyUsage(services, call.context.caller, call.params.id, call.query));
}
