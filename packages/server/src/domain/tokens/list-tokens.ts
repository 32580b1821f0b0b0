import type { ManagementToken } from "@keyward/contract";
import type { TokenRecord } from "../../storage/token-store";
import { authorityExceeded, type Caller } from "../authorization";
import { decodeCursor, pageOf } from "../cursor";
import type { Services } from "../services";
import { presentToken } from "../token-view";

const BATCH = 200;

/** Tokens that still work and whose whole authority lies inside the caller's (SPEC §10); the rest are invisible. */
export async function listTokens(services: Services, caller: Caller, query: { limit: number; cursor?: string }) {
  const visible: TokenRecord[] = [];
  let after = decodeCursor<string>(query.cursor, "string");
  for (;;) {
    const rows = await services.storage.stores.tokens.list({ project: caller.project ?? undefined, after, limit: BATCH });
    visible.push(...rows.filter((token) => authorityExceeded(caller, token) === undefined));
    if (visible.length > query.limit || rows.length < BATCH) break;
    after = rows.at(-1)?.id;
  }
  return pageOf<TokenRecord, ManagementToken>(visible.slice(0, query.limit + 1), query.limit, presentToken, (token) => token.id);
}
