import type { CreateProjectRequest, Project } from "@keyward/contract";
import { conflict } from "../api-error";
import { mutate } from "../mutation";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { presentProject } from "./project-view";

export function createProject(services: Services, context: RequestContext, request: CreateProjectRequest): Promise<Project> {
  // A token bound to a project cannot create others: the route table's target `service` refuses it.
  return mutate(services, context, async (m) => {
    const project = { name: request.name, description: request.description ?? null, createdAt: m.now };
    if (!(await m.stores.projects.insert(project))) throw conflict(`project '${request.name}' already exists`);
    await m.audit({ action: "project.create", target: project.name, project: project.name, environment: null });
    return presentProject(project);
  });
}
