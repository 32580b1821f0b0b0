import type { Caller } from "../authorization";
import { mutate } from "../mutation";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { findProject } from "./get-project";

/**
 * Erases the project: keys, secrets, scopes, bound tokens and usage go (foreign keys cascade).
 * Its audit events stay, because removing them would break the hash chain; the deletion itself
 * is recorded as the tombstone.
 */
export async function deleteProject(services: Services, context: RequestContext & { caller: Caller }, name: string): Promise<void> {
  await mutate(services, context, async (m) => {
    await findProject(m.stores, context.caller, name);
    const erased = await m.stores.projects.delete(name);
    await m.audit({ action: "project.delete", target: name, project: name, environment: null, details: { erased } });
    m.changed({ kind: "project", name });
  });
}
