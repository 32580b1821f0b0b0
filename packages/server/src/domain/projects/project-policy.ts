import type { Environment, EnvironmentPolicy, ExposureResponse, ProjectPolicy } from "@keyward/contract";
import type { StoredProjectPolicy } from "../../storage/project-policy-store";

export const DEFAULT_ENVIRONMENT_POLICY: EnvironmentPolicy = { exposure: "revoke" };

/** What a project without a stored policy has. */
export function effectivePolicy(stored: StoredProjectPolicy | undefined): StoredProjectPolicy {
  return {
    live: { ...DEFAULT_ENVIRONMENT_POLICY, ...stored?.live },
    test: { ...DEFAULT_ENVIRONMENT_POLICY, ...stored?.test },
  };
}

export function exposureResponseOf(stored: StoredProjectPolicy | undefined, environment: Environment): ExposureResponse {
  return effectivePolicy(stored)[environment].exposure;
}

export function presentPolicy(project: string, stored: StoredProjectPolicy | undefined): ProjectPolicy {
  return { project, ...effectivePolicy(stored) };
}
