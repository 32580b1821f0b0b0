import type { z } from "zod";
import type { ValidationIssue } from "./errors";
import { findUnstorableText, shownKey } from "./storable-text";

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

export type InputCheck<T> = { readonly success: true; readonly data: T } | { readonly success: false; readonly issues: ValidationIssue[] };

/**
 * How every request part is judged, written once: text the database cannot hold first (SPEC §11),
 * then the schema. The server's routes answer 400 with these issues; the SDK's in-process verifier
 * raises the same error for the same input (SPEC §16).
 */
export function checkInput<S extends z.ZodType>(schema: S, value: unknown, location: string): InputCheck<z.output<S>> {
  const unstorable = findUnstorableText(value, location);
  if (unstorable.length > 0) return { success: false, issues: unstorable };
  const result = schema.safeParse(value);
  return result.success ? { success: true, data: result.data } : { success: false, issues: describeIssues(location, result.error) };
}
