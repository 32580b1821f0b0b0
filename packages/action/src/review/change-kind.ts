import type { ChangeAction } from "./terraform-plan";

/** What a planned change does to one resource, in the words a reviewer uses. */
export type ChangeKind = "create" | "destroy" | "replace" | "update" | "forget";

/**
 * Maps Terraform's action list to one kind, or `undefined` when nothing changes (`no-op`, and the
 * `read` of a data source). Replacement is `["delete","create"]` or, with create_before_destroy,
 * `["create","delete"]`.
 */
export function changeKind(actions: readonly ChangeAction[]): ChangeKind | undefined {
  const has = (action: ChangeAction) => actions.includes(action);
  if (has("create") && has("delete")) return "replace";
  if (has("create")) return "create";
  if (has("delete")) return "destroy";
  if (has("update")) return "update";
  if (has("forget")) return "forget";
  return undefined;
}
