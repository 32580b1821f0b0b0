import { z } from "zod";
import { ProjectName, ScopeName, Timestamp } from "./names";

export const Scope = z.object({
  project: ProjectName,
  name: ScopeName,
  description: z.string().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Scope = z.infer<typeof Scope>;

export const PutScopeRequest = z.strictObject({
  description: z.string().max(1024, { error: "must be at most 1024 characters" }).optional(),
});
export type PutScopeRequest = z.infer<typeof PutScopeRequest>;

export const ScopeParams = z.strictObject({ project: ProjectName, scope: ScopeName });
