import type { ValidationIssue } from "./errors";

/**
 * Text PostgreSQL cannot hold: NUL (refused in `text` and `jsonb`) and UTF-16 surrogates that are
 * not part of a pair (they have no UTF-8 form). Invalid UTF-8 in a request arrives decoded as
 * U+FFFD, which is storable. SPEC §11: such input is a 400 naming the field, checked once over
 * every parsed string (and object key) of a request rather than field by field.
 */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const UNSTORABLE_TEXT_MESSAGE = "must not contain NUL characters or unpaired UTF-16 surrogates";

/**
 * Path parts that are safe to show in an error: ones shaped like field names. Any other key a
 * caller chose (an unknown query parameter, a metadata key) could be a pasted secret, so it is
 * shown as `[…]`.
 */
const SHOWN_KEY = /^[a-z][a-z0-9_]{0,31}$/;

export function shownKey(key: string): string | undefined {
  return SHOWN_KEY.test(key) ? key : undefined;
}

export function hasUnstorableText(text: string): boolean {
  return UNSTORABLE.test(text);
}

/** One issue per string (or key) in `value` that cannot be stored, each naming where it is: `body.metadata.team`. */
export function findUnstorableText(value: unknown, location: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  visit(value, location, issues, 0);
  return issues;
}

function visit(value: unknown, field: string, issues: ValidationIssue[], depth: number): void {
  if (typeof value === "string") {
    if (UNSTORABLE.test(value)) issues.push({ field, message: UNSTORABLE_TEXT_MESSAGE });
    return;
  }
  // Parsed JSON is bounded by the body limit; the depth bound keeps a hostile nesting cheap.
  if (value === null || typeof value !== "object" || depth > 64) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => visit(item, `${field}[${index}]`, issues, depth + 1));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (UNSTORABLE.test(key)) {
      issues.push({ field, message: `keys ${UNSTORABLE_TEXT_MESSAGE}` });
      continue;
    }
    visit(item, shownKey(key) ? `${field}.${key}` : `${field}[…]`, issues, depth + 1);
  }
}
