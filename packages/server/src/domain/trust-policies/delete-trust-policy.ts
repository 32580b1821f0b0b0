import { notFound } from "../api-error";
import type { Caller } from "../authorization";
import { mutate } from "../mutation";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { requirePolicyVisible } from "./trust-policy-authority";

/** Stops the policy from matching at once; tokens it minted keep working until they expire. */
export async function deleteTrustPolicy(services: Services, context: RequestContext & { caller: Caller }, name: string): Promise<void> {
  await mutate(services, context, async (m) => {
    const policy = await m.stores.trustPolicies.get(name);
    if (!policy) throw notFound(`trust policy '${name}'`);
    requirePolicyVisible(context.caller, policy, name);
    await m.stores.trustPolicies.delete(name);
    await m.audit({ action: "trust_policy.delete", target: name, project: policy.project, environment: policy.environment, details: { issuer: policy.issuer } });
  });
}
