import type { Project } from "@keyward/contract";
import type { ProjectRecord } from "../../storage/project-store";
import type { Stores } from "../../storage/stores";
import { notFound } from "../api-error";
import { type Caller, OutsideAuthorityError } from "../authorization";
import type { Services } from "../services";
import { presentProject } from "./project-view";

/** The project, if the caller may see it: to a token bound to another, it is "not found" (SPEC §10). */
export async function findProject(stores: Stores, caller: Caller, name: string): Promise<ProjectRecord> {
  if (caller.project !== null && caller.project !== name) throw new OutsideAuthorityError(`project '${name}'`, "outside the token's project binding");
  const project = await stores.projects.get(name);
  if (!project) throw notFound(`project '${name}'`);
  return project;
}

export async function getProject(services: Services, caller: Caller, name: string): Promise<Project> {
  return presentProject(await findProject(services.storage.stores, caller, name));
}
