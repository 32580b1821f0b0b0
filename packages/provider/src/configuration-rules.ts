import { Cidr, DURATION_EXPECTED, KEY_NAME_PATTERN, parseDuration, PROJECT_NAME_PATTERN, SCOPE_NAME_PATTERN, Timestamp } from "@keyward/contract";
import { type AttributePath, type Diagnostic, Diagnostics, isObjectValue, type ObjectValue, type Value } from "@keyward/terraform-plugin";

/**
 * Plan-time checks of configuration values, with the contract's own rules (SPEC §2) so Terraform
 * refuses what the key service would refuse, before anything is created. Unknown values (known
 * only after apply) and nulls are skipped. Each diagnostic names the attribute and quotes the value.
 */
export type Rule = (value: string, path: AttributePath) => Diagnostic | undefined;

const quote = (value: string) => JSON.stringify(value);

export const rules = {
  projectName: (value, path) =>
    PROJECT_NAME_PATTERN.test(value)
      ? undefined
      : Diagnostics.invalidAttribute(path, `${quote(value)} is not a project name. Expected 2-63 characters: a lowercase letter, then lowercase letters, digits or '-'.`),
  scopeName: (value, path) =>
    SCOPE_NAME_PATTERN.test(value)
      ? undefined
      : Diagnostics.invalidAttribute(path, `${quote(value)} is not a scope name. Expected 1-128 characters: a lowercase letter, then lowercase letters, digits or '_', '.', ':', '-' (e.g. invoices:read).`),
  keyName: (value, path) =>
    KEY_NAME_PATTERN.test(value)
      ? undefined
      : Diagnostics.invalidAttribute(path, `${quote(value)} is not a valid name. Expected 1-128 characters: a letter or digit, then letters, digits or '_', '.', '-'.`),
  environment: (value, path) =>
    value === "test" || value === "live" ? undefined : Diagnostics.invalidAttribute(path, `${quote(value)} is not an environment. Expected "test" or "live".`),
  duration: (value, path) =>
    parseDuration(value) !== undefined ? undefined : Diagnostics.invalidAttribute(path, `${quote(value)} is not a duration. Expected ${DURATION_EXPECTED}.`),
  cidr: (value, path) =>
    Cidr.safeParse(value).success ? undefined : Diagnostics.invalidAttribute(path, `${quote(value)} is not a CIDR block. Expected one such as 10.0.0.0/8 or 2001:db8::/32.`),
  timestamp: (value, path) =>
    Timestamp.safeParse(value).success ? undefined : Diagnostics.invalidAttribute(path, `${quote(value)} is not a time. Expected RFC 3339, such as 2027-06-30T00:00:00Z.`),
} satisfies Record<string, Rule>;

/** Applies `rule` to a known string attribute. */
export function check(config: ObjectValue, path: AttributePath, rule: Rule): Diagnostic[] {
  const value = valueAt(config, path);
  if (typeof value !== "string") return [];
  const diagnostic = rule(value, path);
  return diagnostic ? [diagnostic] : [];
}

/** Applies `rule` to every known element of a list or set of strings. */
export function checkEach(config: ObjectValue, path: AttributePath, rule: Rule): Diagnostic[] {
  const value = valueAt(config, path);
  if (!Array.isArray(value)) return [];
  return value.flatMap((element, index) => {
    if (typeof element !== "string") return [];
    const diagnostic = rule(element, [...path, index]);
    return diagnostic ? [diagnostic] : [];
  });
}

/** `rotation = { every, grace_period }`: both durations, and the overlap no longer than the period. */
export function checkRotation(config: ObjectValue, path: AttributePath): Diagnostic[] {
  const diagnostics = [...check(config, [...path, "every"], rules.duration), ...check(config, [...path, "grace_period"], rules.duration)];
  if (diagnostics.length > 0) return diagnostics;
  const every = valueAt(config, [...path, "every"]);
  const grace = valueAt(config, [...path, "grace_period"]);
  if (typeof every !== "string" || typeof grace !== "string") return [];
  if ((parseDuration(grace) ?? 0) <= (parseDuration(every) ?? 0)) return [];
  return [
    Diagnostics.invalidAttribute(
      [...path, "grace_period"],
      `grace_period ${quote(grace)} is longer than the rotation period every = ${quote(every)}. Expected a grace period no longer than the period, so at most two secrets are valid at once.`,
    ),
  ];
}

export function checkRateLimit(config: ObjectValue, path: AttributePath): Diagnostic[] {
  const diagnostics = check(config, [...path, "window"], rules.duration);
  const requests = valueAt(config, [...path, "requests"]);
  if (typeof requests === "number" && (!Number.isInteger(requests) || requests < 1 || requests > 1_000_000)) {
    diagnostics.push(Diagnostics.invalidAttribute([...path, "requests"], `${requests} is not a request count. Expected a whole number from 1 to 1000000.`));
  }
  return diagnostics;
}

export function checkMetadata(config: ObjectValue, path: AttributePath): Diagnostic[] {
  const value = valueAt(config, path);
  if (!isObjectValue(value)) return [];
  const diagnostics: Diagnostic[] = [];
  const entries = Object.entries(value);
  if (entries.length > 32) diagnostics.push(Diagnostics.invalidAttribute(path, `${entries.length} entries given. Expected at most 32.`));
  for (const [key, entry] of entries) {
    if (key.length === 0 || key.length > 64) diagnostics.push(Diagnostics.invalidAttribute(path, `Key ${quote(key)} is not allowed. Expected 1-64 characters.`));
    if (typeof entry === "string" && entry.length > 512) {
      diagnostics.push(Diagnostics.invalidAttribute([...path, { key }], `The value is ${entry.length} characters long. Expected at most 512.`));
    }
  }
  return diagnostics;
}

function valueAt(config: ObjectValue, path: AttributePath): Value | undefined {
  let current: Value | undefined = config;
  for (const step of path) {
    if (typeof step === "object") return undefined;
    if (typeof step === "number") current = Array.isArray(current) ? current[step] : undefined;
    else current = isObjectValue(current) ? current[step] : undefined;
  }
  return current;
}
