import { z } from "zod";

export const Health = z.object({
  status: z.enum(["ok", "degraded"]).describe("`ok`, or `degraded` while the database is unavailable."),
  database: z.enum(["ok", "unavailable"]).describe("Whether the database answered a query."),
});
export type Health = z.infer<typeof Health>;
