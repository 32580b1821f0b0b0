import type { Project } from "@keyward/contract";
import type { Caller } from "../authorization";
import { decodeCursor, pageOf } from "../cursor";
import type { Services } from "../services";
import { presentProject } from "./project-view";

export async function listProjects(services: Services, caller: Caller, query: { limit: number; cursor?: string }) {
  const rows = await services.storage.stores.projects.list({
    after: decodeCursor<string>(query.cursor, "string"),
    limit: query.limit + 1,
    only: caller.project ?? undefined,
  });
  return pageOf<(typeof rows)[number], Project>(rows, query.limit, presentProject, (project) => project.name);
}
