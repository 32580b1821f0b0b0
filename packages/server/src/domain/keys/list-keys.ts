import type { ApiKey, ListKeysQuery } from "@keyward/contract";
import { type Caller, requireEnvironment, requireProject } from "../authorization";
import { decodeCursor, pageOf } from "../cursor";
import { presentKey } from "../key-view";
import type { Services } from "../services";

/** A bound token lists only its own project and environment; asking for another is a 403. */
export async function listKeys(services: Services, caller: Caller, query: ListKeysQuery) {
  if (query.project) requireProject(caller, query.project);
  if (query.environment) requireEnvironment(caller, query.environment);
  const now = services.clock();
  const rows = await services.storage.stores.keys.list({
    project: query.project ?? caller.project ?? undefined,
    environment: query.environment ?? caller.environment ?? undefined,
    status: query.status,
    rotationDue: query.rotation_due,
    name: query.name,
    now,
    after: decodeCursor<string>(query.cursor, "string"),
    limit: query.limit + 1,
  });
  return pageOf<(typeof rows)[number], ApiKey>(rows, query.limit, (key) => presentKey(key, now), (key) => key.id);
}
