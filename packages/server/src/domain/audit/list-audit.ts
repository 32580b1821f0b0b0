import type { AuditEvent, ListAuditQuery } from "@keyward/contract";
import { presentAuditEvent } from "../audit-chain";
import type { Caller } from "../authorization";
import { decodeCursor, pageOf } from "../cursor";
import type { Services } from "../services";

/**
 * Oldest first. A token bound to a project reads only that project's events; one bound to an
 * environment reads none of the other environment's (SPEC §10). Asking for another project answers
 * an empty page, exactly as a project with no events does.
 */
export async function listAudit(services: Services, caller: Caller, query: ListAuditQuery) {
  if (query.project && caller.project !== null && query.project !== caller.project) return { data: [], next_cursor: null };
  const rows = await services.storage.stores.audit.list({
    project: query.project ?? caller.project ?? undefined,
    environment: caller.environment ?? undefined,
    action: query.action,
    since: query.since ? new Date(query.since) : undefined,
    afterSeq: decodeCursor<number>(query.cursor, "number"),
    limit: query.limit + 1,
  });
  return pageOf<(typeof rows)[number], AuditEvent>(rows, query.limit, presentAuditEvent, (event) => event.seq);
}
