import type { ApiKey, ListKeysQuery } from "@keyward/contract";
import { type Caller, sees } from "../authorization";
import { decodeCursor, pageOf } from "../cursor";
import { presentKey } from "../key-view";
import type { Services } from "../services";

/**
 * A bound token lists only its own project and environment; asking for another answers an empty
 * page, exactly as a project with no keys does (SPEC §10: no existence oracle).
 */
export async function listKeys(services: Services, caller: Caller, query: ListKeysQuery) {
  const now = services.clock();
  const asked = { project: query.project ?? caller.project, environment: query.environment ?? caller.environment };
  if (!sees(caller, asked)) return { data: [], next_cursor: null };
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
