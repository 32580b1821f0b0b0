import { routes } from "@keyward/contract";
import { deleteTrustPolicy } from "../domain/trust-policies/delete-trust-policy";
import { getTrustPolicy } from "../domain/trust-policies/get-trust-policy";
import { listTrustPolicies } from "../domain/trust-policies/list-trust-policies";
import { putTrustPolicy } from "../domain/trust-policies/put-trust-policy";
import { defineRoute, type RouteKit } from "./route-kit";

export function registerTrustPolicyRoutes(kit: RouteKit): void {
  const { services } = kit;
  defineRoute(kit, routes.putTrustPolicy, async (call) => {
    const { created, policy } = await putTrustPolicy(services, call.context, call.params.name, call.body);
    call.reply.status(created ? 201 : 200);
    return policy;
  });
  defineRoute(kit, routes.listTrustPolicies, (call) => listTrustPolicies(services, call.context.caller, call.query));
  defineRoute(kit, routes.getTrustPolicy, (call) => getTrustPolicy(services, call.context.caller, call.params.name));
  defineRoute(kit, routes.deleteTrustPolicy, (call) => deleteTrustPolicy(services, call.context, call.params.name));
}
