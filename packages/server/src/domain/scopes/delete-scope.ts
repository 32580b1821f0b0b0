import { conflict, notFound } from "../api-error";
import type { Caller } from "../authorization";
import { mutate } from "../mutation";
import { findProject } from "../projects/get-project";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";

/** SPEC §2: a scope held by a key that is not revoked cannot be deleted (409). */
export async function deleteScope(services: Services, context: RequestContext & { caller: Caller }, target: { project: string; scope: string }): Promise<void> {
  await mutate(services, context, async (m) => {
    await findProject(m.stores, context.caller, target.project);
    if (!(await m.stores.scopes.get(target.project, target.scope))) throw notFound(`scope '${target.scope}' in project '${target.project}'`);
    if (await m.stores.keys.scopeInUse(target.project, target.scope)) {
      throw conflict(`scope '${target.scope}' is held by a key that is not revoked; remove it from those keys (or revoke them) first`);
    }
    await m.stores.scopes.delete(target.project, target.scope);
    await m.audit({ action: "scope.delete", target: target.scope, project: target.project, environment: null });
  });
}
