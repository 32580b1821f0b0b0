import { formatDuration, type TrustPolicy } from "@keyward/contract";
import type { TrustPolicyRecord } from "../../storage/trust-policy-store";

export function presentTrustPolicy(policy: TrustPolicyRecord): TrustPolicy {
  return {
    name: policy.name,
    issuer: policy.issuer,
    audience: policy.audience,
    claims: policy.claims,
    scopes: policy.scopes,
    project: policy.project,
    environment: policy.environment,
    ttl: formatDuration(policy.ttlMs),
    expires_at: policy.expiresAt?.toISOString() ?? null,
    created_by: policy.createdBy,
    created_at: policy.createdAt.toISOString(),
    updated_at: policy.updatedAt.toISOString(),
  };
}
