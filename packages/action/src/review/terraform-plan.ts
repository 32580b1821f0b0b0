import { z } from "zod";

/**
 * The parts of `terraform show -json <planfile>` a review reads (Terraform's JSON output format,
 * https://developer.hashicorp.com/terraform/internals/json-format). Attribute values stay
 * `unknown`: they are read one named attribute at a time through `PlannedValues`, which honours
 * the sensitivity masks, because the JSON output carries sensitive values in plain text.
 */
const ChangeAction = z.enum(["no-op", "create", "read", "update", "delete", "forget"]);
export type ChangeAction = z.infer<typeof ChangeAction>;

const Change = z.object({
  actions: z.array(ChangeAction).min(1),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  after_unknown: z.unknown().optional(),
  before_sensitive: z.unknown().optional(),
  after_sensitive: z.unknown().optional(),
  replace_paths: z.array(z.array(z.union([z.string(), z.number()]))).optional(),
});
export type Change = z.infer<typeof Change>;

const ResourceChange = z.object({
  address: z.string(),
  mode: z.enum(["managed", "data"]),
  type: z.string(),
  name: z.string(),
  deposed: z.string().optional(),
  action_reason: z.string().optional(),
  change: Change,
});
export type ResourceChange = z.infer<typeof ResourceChange>;

export const TerraformPlan = z.object({
  // 1.x is the only major version of the format; a 2.x would be a breaking change.
  format_version: z.string().regex(/^1\./, { error: "must be a 1.x plan format version" }),
  terraform_version: z.string().optional(),
  // A plan always carries planned_values; `terraform show -json` of a state carries `values` instead.
  planned_values: z.object({}).loose(),
  resource_changes: z.array(ResourceChange).default([]),
  errored: z.boolean().optional(),
});
export type TerraformPlan = z.infer<typeof TerraformPlan>;
