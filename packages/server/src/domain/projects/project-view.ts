import type { Project } from "@keyward/contract";
import type { ProjectRecord } from "../../storage/project-store";

export function presentProject(project: ProjectRecord): Project {
  return { name: project.name, description: project.description, created_at: project.createdAt.toISOString() };
}
