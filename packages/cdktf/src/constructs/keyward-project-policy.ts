import type { EnvironmentPolicy, ExposureResponse } from "@keyward/contract";
import type { Duration } from "./duration";

/** One environment's rules (SPEC §18), checked against the project's keys at synthesis and by the key service. */
export interface KeywardEnvironmentPolicy {
  /**
   * Every key must expire at most this long after its creation (its `expiresAt` must be set).
   *
   * @default - no limit
   */
  readonly maxLifetime?: Duration;
  /**
   * Every key must have a rotation schedule.
   *
   * @default false
   */
  readonly requireRotation?: boolean;
  /**
   * Every key must rotate at least this often; implies a rotation schedule.
   *
   * @default - no limit
   */
  readonly maxRotationEvery?: Duration;
  /**
   * The longest grace period a key or a rotation may ask for; also caps a grace that starts at first use.
   *
   * @default - no limit (a grace that starts at first use is capped at 7 days)
   */
  readonly maxGracePeriod?: Duration;
  /**
   * Every key must have at least one destination.
   *
   * @default false
   */
  readonly requireDestinations?: boolean;
  /**
   * What happens when one of the keys' secrets is found in public: `revoke`, `rotate` or `notify`.
   *
   * @default "revoke"
   */
  readonly exposure?: ExposureResponse;
}

/** A project's key policy per environment. */
export interface KeywardProjectPolicy {
  /** @default - no rules for live keys */
  readonly live?: KeywardEnvironmentPolicy;
  /** @default - no rules for test keys */
  readonly test?: KeywardEnvironmentPolicy;
}

/** The policy as the key service spells it, for the contract's `policyViolations`; undefined rules left out. */
export function environmentPolicyOf(policy: KeywardEnvironmentPolicy | undefined): EnvironmentPolicy {
  return {
    ...(policy?.maxLifetime && { max_lifetime: policy.maxLifetime.toString() }),
    ...(policy?.requireRotation !== undefined && { require_rotation: policy.requireRotation }),
    ...(policy?.maxRotationEvery && { max_rotation_every: policy.maxRotationEvery.toString() }),
    ...(policy?.maxGracePeriod && { max_grace_period: policy.maxGracePeriod.toString() }),
    ...(policy?.requireDestinations !== undefined && { require_destinations: policy.requireDestinations }),
    exposure: policy?.exposure ?? "revoke",
  };
}

/** The generated resource's configuration for one environment. */
export function terraformEnvironmentPolicy(policy: KeywardEnvironmentPolicy | undefined) {
  if (!policy) return undefined;
  return {
    maxLifetime: policy.maxLifetime?.toString(),
    requireRotation: policy.requireRotation,
    maxRotationEvery: policy.maxRotationEvery?.toString(),
    maxGracePeriod: policy.maxGracePeriod?.toString(),
    requireDestinations: policy.requireDestinations,
    exposure: policy.exposure,
  };
}
