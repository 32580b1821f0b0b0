import type { PutScopeRequest, Scope } from "@keyward/contract";
import type { Caller } from "../authorization";
import { mutate } from "../mutation";
import { findProject } from "../projects/get-project";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { presentScope } from "./scope-view";

/** Creates or updates a scope of the catalog; `created` tells which (201 vs 200). */
export function putScope(
  services: Services,
  context: RequestContext & { caller: Caller },
  target: { project: string; scope: string },
  request: PutScopeRequest,
): Promise<{ created: boolean; scope: Scope }> {
  return mutate(services, context, async (m) => {
    await findProject(m.stores, context.caller, target.project);
    const existing = await m.stores.scopes.get(target.project, target.scope);
    const description = request.description ?? null;
    if (existing) {
      const updated = { ...existing, description, updatedAt: m.now };
      if (existing.description !== description) {
        await m.stores.scopes.update(updated);
        await m.audit({ action: "scope.update", target: target.scope, project: target.project, environment: null });
      }
      return { created: false, scope: presentScope(existing.description === description ? existing : updated) };
    }
    const scope = { project: target.project, name: target.scope, description, createdAt: m.now, updatedAt: m.now };
    await m.stores.scopes.insert(scope);
    await m.audit({ action: "scope.create", target: target.scope, project: target.project, environment: null });
    return { created: true, scope: presentScope(scope) };
  });
}
