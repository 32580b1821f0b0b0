import { z } from "zod";

export const Health = z.object({
  status: z.enum(["ok", "degraded"]).describe("`ok`, or `degraded` while the database is unreachable."),
  database: z.enum(["ok", "unreachable"]).describe("Whether the database answered a query."),
});
export type Health = z.infer<typeof Health>;
