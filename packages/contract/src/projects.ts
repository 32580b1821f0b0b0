import { z } from "zod";
import { ProjectName, Timestamp } from "./names";

export const Project = z.object({
  name: ProjectName.describe("The project's name; permanent."),
  description: z.string().nullable().describe("What the project is for; null when not given."),
  created_at: Timestamp.describe("When the project was created."),
});
export type Project = z.infer<typeof Project>;

export const CreateProjectRequest = z.strictObject({
  name: ProjectName.describe("The new project's name; permanent."),
  description: z.string().max(1024, { error: "must be at most 1024 characters" }).optional().describe("What the project is for; at most 1024 characters."),
}).meta({ examples: [{ name: "billing-api", description: "Keys of the billing API" }] });
export type CreateProjectRequest = z.infer<typeof CreateProjectRequest>;

export const ProjectParams = z.strictObject({ project: ProjectName.describe("The project's name.") });
