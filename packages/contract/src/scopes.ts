import { z } from "zod";
import { ProjectName, ScopeName, Timestamp } from "./names";

export const Scope = z.object({
  project: ProjectName.describe("The project whose catalog holds the scope."),
  name: ScopeName.describe("The scope's name."),
  description: z.string().nullable().describe("What the scope allows; null when not given."),
  created_at: Timestamp.describe("When the scope was declared."),
  updated_at: Timestamp.describe("When the scope was last changed."),
});
export type Scope = z.infer<typeof Scope>;

export const PutScopeRequest = z.strictObject({
  description: z.string().max(1024, { error: "must be at most 1024 characters" }).optional().describe("What the scope allows; at most 1024 characters."),
}).meta({ examples: [{ description: "Read invoices" }] });
export type PutScopeRequest = z.infer<typeof PutScopeRequest>;

export const ScopeParams = z.strictObject({ project: ProjectName.describe("The project's name."), scope: ScopeName.describe("The scope's name.") });
