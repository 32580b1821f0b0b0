import type { Project } from "@keyward/contract";
import type { ProjectRecord } from "../../storage/project-store";
import type { Stores } from "../../storage/stores";
import { notFound } from "../api-error";
import { type Caller, requireProject } from "../authorization";
import type { Services } from "../services";
import { presentProject } from "./project-view";

/** The project, after checking the caller may see it (a bound token learns nothing of others). */
export async function findProject(stores: Stores, caller: Caller, name: string): Promise<ProjectRecord> {
  requireProject(caller, name);
  const project = await stores.projects.get(name);
  if (!project) throw notFound(`project '${name}'`);
  return project;
}

export async function getProject(services: Services, caller: Caller, name: string): Promise<Project> {
  return presentProject(await findProject(services.storage.stores, caller, name));
}
