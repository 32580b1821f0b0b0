import type { AuditEvent, ListAuditQuery } from "@keyward/contract";
import { presentAuditEvent } from "../audit-chain";
import { type Caller, requireProject } from "../authorization";
import { decodeCursor, pageOf } from "../cursor";
import type { Services } from "../services";

/** Oldest first. A token bound to a project reads only that project's events. */
export async function listAudit(services: Services, caller: Caller, query: ListAuditQuery) {
  if (query.project) requireProject(caller, query.project);
  const rows = await services.storage.stores.audit.list({
    project: query.project ?? caller.project ?? undefined,
    action: query.action,
    since: query.since ? new Date(query.since) : undefined,
    afterSeq: decodeCursor<number>(query.cursor, "number"),
    limit: query.limit + 1,
  });
  return pageOf<(typeof rows)[number], AuditEvent>(rows, query.limit, presentAuditEvent, (event) => event.seq);
}
