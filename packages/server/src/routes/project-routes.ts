import { routes } from "@keyward/contract";
import { createProject } from "../domain/projects/create-project";
import { deleteProject } from "../domain/projects/delete-project";
import { getProject } from "../domain/projects/get-project";
import { listProjects } from "../domain/projects/list-projects";
import { defineRoute, type RouteKit } from "./route-kit";

export function registerProjectRoutes(kit: RouteKit): void {
  const { services } = kit;
  defineRoute(kit, routes.createProject, (call) => createProject(services, call.context, call.body));
  defineRoute(kit, routes.listProjects, (call) => listProjects(services, call.context.caller, call.query));
  defineRoute(kit, routes.getProject, (call) => getProject(services, call.context.caller, call.params.project));
  defineRoute(kit, routes.deleteProject, (call) => deleteProject(services, call.context, call.params.project));
}
