import { type AuditEvent, type AuditVerification, type ListAuditQuery, routes } from "@keyward/contract";
import { type Page, PagedList } from "./paged-list";
import type { RequestOptions, Transport } from "./transport";

export type AuditListQuery = Partial<ListAuditQuery>;

/** The hash-chained audit log: every mutation and every failed authentication. */
export class Audit {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Events oldest first, fetched page by page as you iterate. */
  list(query: AuditListQuery = {}, options?: RequestOptions): PagedList<AuditEvent> {
    return new PagedList((cursor) => this.page({ ...query, ...(cursor ? { cursor } : {}) }, options));
  }

  async page(query: AuditListQuery = {}, options?: RequestOptions): Promise<Page<AuditEvent>> {
    return (await this.#transport.call(routes.listAudit, { query }, options)).data;
  }

  /** Re-computes the hash chain on the server: `{ok, checked, first_bad?}`. */
  async verify(options?: RequestOptions): Promise<AuditVerification> {
    return (await this.#transport.call(routes.verifyAudit, {}, options)).data;
  }
}
