import type { ApiKey, Keyward, PreviousSecret, ProjectPolicy } from "@keyward/client";
import { type PolicyViolation, policyViolations } from "@keyward/contract";

/** A key that breaks its project's policy, e.g. one tightened after the key was created (SPEC §18). */
export interface PolicyBreach {
  readonly key: ApiKey;
  readonly violations: readonly PolicyViolation[];
}

/** A previous secret still verifying after its grace period started: some consumer has not moved to the new one. */
export interface PreviousInUse {
  readonly key: ApiKey;
  readonly previous: PreviousSecret;
}

/** Every rule each key breaks, judged by the contract's `policyViolations` against its project's current policy. */
export async function policyBreaches(keyward: Keyward, keys: readonly ApiKey[], now: Date): Promise<PolicyBreach[]> {
  const policies = new Map<string, Promise<ProjectPolicy>>();
  const breaches: PolicyBreach[] = [];
  for (const key of keys) {
    if (key.status === "revoked") continue;
    let policy = policies.get(key.project);
    if (!policy) policies.set(key.project, (policy = keyward.projects.getPolicy(key.project)));
    const violations = policyViolations((await policy)[key.environment], key, now);
    if (violations.length > 0) breaches.push({ key, violations });
  }
  return breaches;
}

/**
 * Previous secrets (SPEC §18 `GET /v1/keys/{id}`'s `previous`) used after their grace started, with
 * the last source IP, so a team knows which consumer still holds the old secret. Only rotated keys
 * are read again.
 */
export async function previousSecretsInUse(keyward: Keyward, keys: readonly ApiKey[]): Promise<PreviousInUse[]> {
  const found: PreviousInUse[] = [];
  for (const listed of keys) {
    if (listed.status !== "active" || listed.rotated_at === null) continue;
    const key = await keyward.keys.get(listed.id);
    const previous = key.previous;
    if (!previous?.last_used_at || !previous.grace_started_at) continue;
    if (Date.parse(previous.last_used_at) >= Date.parse(previous.grace_started_at)) found.push({ key, previous });
  }
  return found;
}
