import { z } from "zod";
import { Duration } from "./duration";
import { ProjectName } from "./names";

/**
 * What the server does when a secret of this environment is found in public (SPEC §15):
 * revoke it, rotate it with no grace period, or only notify (`key.exposed` webhooks).
 */
export const ExposureResponse = z
  .enum(["revoke", "rotate", "notify"], { error: "must be 'revoke', 'rotate' or 'notify'" })
  .describe("revoke (default): every secret of the key stops now; rotate: a new secret, no grace period; notify: change nothing, emit key.exposed.");
export type ExposureResponse = z.infer<typeof ExposureResponse>;

/** SPEC §18: how long a grace that starts at first use may last at most, when the policy does not say. */
export const DEFAULT_MAX_GRACE_PERIOD = "7d";

/** One environment's policy (SPEC §18): the rules every key of the environment must keep, and the exposure response. */
export const EnvironmentPolicy = z
  .strictObject({
    max_lifetime: Duration.optional().describe("Every key must expire at most this long after its creation (its `expires_at` must be set)."),
    require_rotation: z.boolean({ error: "must be true or false" }).optional().describe("true: every key must have a rotation schedule."),
    max_rotation_every: Duration.optional().describe("Every key must rotate at least this often (`rotation.every` at most this); implies a rotation schedule."),
    max_grace_period: Duration.optional()
      .describe(`The longest grace period a key or a rotation may ask for; also caps a grace that starts at first use (default ${DEFAULT_MAX_GRACE_PERIOD}).`),
    require_destinations: z.boolean({ error: "must be true or false" }).optional().describe("true: every key must be delivered to at least one destination."),
    exposure: ExposureResponse.default("revoke"),
  })
  .describe("The rules for one environment's keys.");
export type EnvironmentPolicy = z.infer<typeof EnvironmentPolicy>;

export const ProjectPolicy = z
  .object({
    project: ProjectName,
    live: EnvironmentPolicy,
    test: EnvironmentPolicy,
  })
  .describe("A project's key policy, per environment.");
export type ProjectPolicy = z.infer<typeof ProjectPolicy>;

export const PutProjectPolicyRequest = z
  .strictObject({
    live: EnvironmentPolicy.optional().describe("The live keys' policy, replacing the current one; default {exposure: revoke}."),
    test: EnvironmentPolicy.optional().describe("The test keys' policy, replacing the current one; default {exposure: revoke}."),
  })
  .describe("Sets the project's policy per environment; an omitted environment keeps its current policy.")
  .meta({ examples: [{ live: { require_rotation: true, max_rotation_every: "90d", max_lifetime: "365d", exposure: "rotate" }, test: { exposure: "notify" } }] });
export type PutProjectPolicyRequest = z.infer<typeof PutProjectPolicyRequest>;
