import type { ManagementToken } from "@keyward/contract";
import type { Caller } from "../authorization";
import { decodeCursor, pageOf } from "../cursor";
import type { Services } from "../services";
import { presentToken } from "../token-view";

/** Tokens that still work; a token bound to a project sees only tokens bound to that project. */
export async function listTokens(services: Services, caller: Caller, query: { limit: number; cursor?: string }) {
  const rows = await services.storage.stores.tokens.list({
    project: caller.project ?? undefined,
    after: decodeCursor<string>(query.cursor, "string"),
    limit: query.limit + 1,
  });
  return pageOf<(typeof rows)[number], ManagementToken>(rows, query.limit, presentToken, (token) => token.id);
}
