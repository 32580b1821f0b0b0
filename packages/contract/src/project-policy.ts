import { z } from "zod";
import { ProjectName } from "./names";

/**
 * What the server does when a secret of this environment is found in public (SPEC §15):
 * revoke it, rotate it with no grace period, or only notify (`key.exposed` webhooks).
 */
export const ExposureResponse = z
  .enum(["revoke", "rotate", "notify"], { error: "must be 'revoke', 'rotate' or 'notify'" })
  .describe("revoke (default): every secret of the key stops now; rotate: a new secret, no grace period; notify: change nothing, emit key.exposed.");
export type ExposureResponse = z.infer<typeof ExposureResponse>;

/** One environment's policy. SPEC §18 adds lifetime and rotation rules beside `exposure`. */
export const EnvironmentPolicy = z
  .strictObject({ exposure: ExposureResponse.default("revoke") })
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
    live: EnvironmentPolicy.optional().describe("The live keys' policy; default {exposure: revoke}."),
    test: EnvironmentPolicy.optional().describe("The test keys' policy; default {exposure: revoke}."),
  })
  .describe("Sets the project's policy per environment; an omitted environment keeps its current policy.")
  .meta({ examples: [{ live: { exposure: "rotate" }, test: { exposure: "notify" } }] });
export type PutProjectPolicyRequest = z.infer<typeof PutProjectPolicyRequest>;
