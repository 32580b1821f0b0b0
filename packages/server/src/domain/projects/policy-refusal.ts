import { describeViolation, type Environment, type PolicyViolation } from "@keyward/contract";
import { ApiError } from "../api-error";

/**
 * SPEC §18: a create, update or rotation that breaks the project's policy is refused with 400,
 * naming the key, each rule and each field (`body.rotation.every`), and nothing changes.
 */
export function policyRefusal(key: { name: string; environment: Environment }, violations: readonly PolicyViolation[], location = "body"): ApiError {
  const issues = violations.map((violation) => ({ field: `${location}.${violation.field}`, message: violation.message }));
  const rules = [...new Set(violations.map((violation) => violation.rule))].join(", ");
  const detail = violations.map((violation) => `${location}.${describeViolation(violation)}`).join("; ");
  return new ApiError("BAD_REQUEST", `key '${key.name}' (${key.environment}) breaks the project's ${key.environment} policy (${rules}): ${detail}`, issues);
}
