import { z } from "zod";
import { ProjectName, Timestamp } from "./names";

export const Project = z.object({
  name: ProjectName,
  description: z.string().nullable(),
  created_at: Timestamp,
});
export type Project = z.infer<typeof Project>;

export const CreateProjectRequest = z.strictObject({
  name: ProjectName,
  description: z.string().max(1024, { error: "must be at most 1024 characters" }).optional(),
});
export type CreateProjectRequest = z.infer<typeof CreateProjectRequest>;

export const ProjectParams = z.strictObject({ project: ProjectName });
