import type { Scope } from "@keyward/contract";
import type { Caller } from "../authorization";
import { decodeCursor, pageOf } from "../cursor";
import { findProject } from "../projects/get-project";
import type { Services } from "../services";
import { presentScope } from "./scope-view";

export async function listScopes(services: Services, caller: Caller, project: string, query: { limit: number; cursor?: string }) {
  const { stores } = services.storage;
  await findProject(stores, caller, project);
  const rows = await stores.scopes.list(project, { after: decodeCursor<string>(query.cursor, "string"), limit: query.limit + 1 });
  return pageOf<(typeof rows)[number], Scope>(rows, query.limit, presentScope, (scope) => scope.name);
}
