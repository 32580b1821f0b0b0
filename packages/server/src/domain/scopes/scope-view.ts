import type { Scope } from "@keyward/contract";
import type { ScopeRecord } from "../../storage/scope-store";

export function presentScope(scope: ScopeRecord): Scope {
  return {
    project: scope.project,
    name: scope.name,
    description: scope.description,
    created_at: scope.createdAt.toISOString(),
    updated_at: scope.updatedAt.toISOString(),
  };
}
