import { type AuditCheckpoint, AuditEvent, type AuditVerification, type ExportAuditQuery, type ListAuditQuery, routes } from "@keyward/contract";
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

  /** Re-computes the keyed chain on the server against its newest signed checkpoint: `{ok, checked, first_bad?, truncated_after?}`. */
  async verify(options?: RequestOptions): Promise<AuditVerification> {
    return (await this.#transport.call(routes.verifyAudit, {}, options)).data;
  }

  /** Every event from `since` on with its hashes, oldest first, as `GET /v1/audit/export` streams it (JSON lines). */
  async export(query: Partial<ExportAuditQuery> = {}, options?: RequestOptions): Promise<AuditEvent[]> {
    const text = await this.#transport.text(routes.exportAudit, { query }, options);
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => AuditEvent.parse(JSON.parse(line)));
  }

  /** Has the server sign the chain's head now (needs `admin`); answers the checkpoint it appended to its file. */
  async checkpoint(options?: RequestOptions): Promise<AuditCheckpoint> {
    return (await this.#transport.call(routes.createAuditCheckpoint, { body: {} }, options)).data;
  }
}
