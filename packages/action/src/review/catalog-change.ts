import { type ChangeKind, changeKind } from "./change-kind";
import { PlannedObject, type Reading } from "./planned-object";
import type { ResourceChange } from "./terraform-plan";

export const PROJECT_TYPE = "keyward_project";
export const SCOPE_TYPE = "keyward_scope";

/** A project or a catalog scope the plan creates, destroys, replaces or updates. */
export interface CatalogChange {
  address: string;
  type: typeof PROJECT_TYPE | typeof SCOPE_TYPE;
  kind: ChangeKind;
  project: Reading<string | null>;
  /** The scope's name; `null` for a project. */
  scope: Reading<string | null>;
}

export function describeCatalogChange(resource: ResourceChange): CatalogChange | undefined {
  const kind = changeKind(resource.change.actions);
  if (kind === undefined) return undefined;
  const before = PlannedObject.before(resource.change);
  const after = PlannedObject.after(resource.change);
  const subject = after.exists ? after : before;
  if (resource.type === PROJECT_TYPE) {
    return { address: resource.address, type: PROJECT_TYPE, kind, project: subject.string("name"), scope: { state: "known", value: null } };
  }
  return { address: resource.address, type: SCOPE_TYPE, kind, project: subject.string("project"), scope: subject.string("name") };
}
