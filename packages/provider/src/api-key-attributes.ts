import type { ApiKey } from "@keyward/client";
import { parseDuration } from "@keyward/contract";
import { type AttributeSchema, cty, isObjectValue, type ObjectValue, type Value, valuesEqual } from "@keyward/terraform-plugin";

/**
 * The attributes a key has wherever Terraform sees it (the `keyward_api_key` resource and data
 * source), and how a key from the API becomes Terraform values.
 */
export const apiKeyComputedAttributes = {
  version: { type: cty.number, computed: true, description: "Secret version: 1 at creation, +1 per rotation." },
  hint: { type: cty.string, computed: true, description: "Prefix and last 4 characters of the current secret, safe to show." },
  status: { type: cty.string, computed: true, description: "`active`, `expired` or `revoked`." },
  created_at: { type: cty.string, computed: true, description: "When the key was created (RFC 3339)." },
  rotated_at: { type: cty.string, computed: true, description: "When the key was last rotated (RFC 3339), or null." },
  next_rotation_at: { type: cty.string, computed: true, description: "When the rotation schedule makes the key due (RFC 3339), or null." },
  rotation_due: { type: cty.bool, computed: true, description: "Whether a scheduled rotation is due now." },
} satisfies Record<string, AttributeSchema>;

/** A key as Terraform values, without the resource-only `secret` and `rotation_triggers`. */
export function apiKeyValues(key: ApiKey): ObjectValue {
  return {
    id: key.id,
    project: key.project,
    environment: key.environment,
    name: key.name,
    scopes: [...key.scopes],
    expires_at: key.expires_at,
    rotation: key.rotation ? { every: key.rotation.every, grace_period: key.rotation.grace_period, grace_starts: key.rotation.grace_starts ?? null } : null,
    ip_allowlist: key.ip_allowlist ? [...key.ip_allowlist] : null,
    rate_limit: key.rate_limit ? { requests: key.rate_limit.requests, window: key.rate_limit.window } : null,
    metadata: { ...key.metadata },
    version: key.version,
    hint: key.hint,
    status: key.status,
    created_at: key.created_at,
    rotated_at: key.rotated_at,
    next_rotation_at: key.next_rotation_at,
    rotation_due: key.rotation_due,
  };
}

const isEmpty = (value: Value | undefined) =>
  value === null || value === undefined || (Array.isArray(value) && value.length === 0) || (isObjectValue(value) && Object.keys(value).length === 0);

const sameInstant = (left: Value | undefined, right: Value | undefined) =>
  typeof left === "string" && typeof right === "string" && Date.parse(left) === Date.parse(right);

const sameDuration = (left: Value | undefined, right: Value | undefined) =>
  typeof left === "string" && typeof right === "string" && parseDuration(left) !== undefined && parseDuration(left) === parseDuration(right);

function sameDurations(left: Value | undefined, right: Value | undefined, fields: readonly string[]): boolean {
  if (!isObjectValue(left ?? null) || !isObjectValue(right ?? null)) return false;
  const [a, b] = [left as ObjectValue, right as ObjectValue];
  return fields.every((field) => valuesEqual(a[field] ?? null, b[field] ?? null) || sameDuration(a[field], b[field]));
}

const sameSet = (left: Value | undefined, right: Value | undefined) =>
  Array.isArray(left) && Array.isArray(right) && left.length === right.length && left.every((item) => right.some((other) => valuesEqual(item, other)));

/**
 * The API may spell a value differently from the configuration (`720h` as `30d`, a time with
 * milliseconds, no metadata as `{}`). Where the fresh value means the same as the prior state's,
 * keep the prior spelling so a refresh shows no drift.
 */
export function keepEquivalentSpelling(prior: ObjectValue, fresh: ObjectValue): ObjectValue {
  const kept: ObjectValue = { ...fresh };
  const equivalent: Record<string, (a: Value | undefined, b: Value | undefined) => boolean> = {
    expires_at: sameInstant,
    rotation: (a, b) => sameDurations(a, b, ["every", "grace_period", "grace_starts"]),
    rate_limit: (a, b) => sameDurations(a, b, ["requests", "window"]),
    metadata: (a, b) => isEmpty(a) && isEmpty(b),
    ip_allowlist: (a, b) => isEmpty(a) && isEmpty(b),
    scopes: sameSet,
  };
  for (const [attribute, same] of Object.entries(equivalent)) {
    if (attribute in prior && same(prior[attribute], fresh[attribute])) kept[attribute] = prior[attribute] ?? null;
  }
  return kept;
}
