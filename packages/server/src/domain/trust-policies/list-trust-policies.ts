import type { TrustPolicy } from "@keyward/contract";
import type { TrustPolicyRecord } from "../../storage/trust-policy-store";
import type { Caller } from "../authorization";
import { decodeCursor, pageOf } from "../cursor";
import type { Services } from "../services";
import { withinAuthority } from "./trust-policy-authority";
import { presentTrustPolicy } from "./trust-policy-view";

const BATCH = 100;

/** The policies inside the caller's authority, by name. */
export async function listTrustPolicies(services: Services, caller: Caller, query: { limit: number; cursor?: string }) {
  const visible: TrustPolicyRecord[] = [];
  let after = decodeCursor<string>(query.cursor, "string");
  while (visible.length <= query.limit) {
    const rows = await services.storage.stores.trustPolicies.list({ after, limit: BATCH });
    visible.push(...rows.filter((policy) => withinAuthority(caller, policy)));
    if (rows.length < BATCH) break;
    after = rows.at(-1)?.name;
  }
  return pageOf<TrustPolicyRecord, TrustPolicy>(visible, query.limit, presentTrustPolicy, (policy) => policy.name);
}
