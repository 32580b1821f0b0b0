import type { TrustPolicy } from "@keyward/contract";
import { notFound } from "../api-error";
import type { Caller } from "../authorization";
import type { Services } from "../services";
import { requirePolicyVisible } from "./trust-policy-authority";
import { presentTrustPolicy } from "./trust-policy-view";

/** A policy outside the caller's authority answers 404 exactly as a missing one (SPEC §10). */
export async function getTrustPolicy(services: Services, caller: Caller, name: string): Promise<TrustPolicy> {
  const policy = await services.storage.stores.trustPolicies.get(name);
  if (!policy) throw notFound(`trust policy '${name}'`);
  requirePolicyVisible(caller, policy, name);
  return presentTrustPolicy(policy);
}
