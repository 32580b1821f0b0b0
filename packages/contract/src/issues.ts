import type { z } from "zod";
import type { ValidationIssue } from "./errors";
import { shownKey } from "./storable-text";

/** `body.scopes[0]` from `["scopes", 0]` under `body`. */
function fieldName(location: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (name, part) => (typeof part === "number" ? `${name}[${part}]` : shownKey(String(part)) ? `${name}.${String(part)}` : `${name}[…]`),
    location,
  );
}

/**
 * Zod issues as the API reports them: the field and the rule it broke. Unknown fields are named
 * one by one. Received values are never echoed: a misplaced secret must not come back in an error.
 */
export function describeIssues(location: string, error: z.ZodError): ValidationIssue[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ field: fieldName(location, [...issue.path, key]), message: "is not a known field" }));
    }
    return [{ field: fieldName(location, issue.path), message: issue.message }];
  });
}

/** One line for an error message: `body.name: must be …; body.extra: is not a known field`. */
export function summarizeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.field}: ${issue.message}`).join("; ");
}
