import { type PutScopeRequest, routes, type Scope } from "@keyward/contract";
import type { z } from "zod";
import { type Page, PagedList } from "./paged-list";
import type { RequestOptions, Transport } from "./transport";

export type ScopeListQuery = Partial<z.output<typeof routes.listScopes.query>>;

export interface PutScopeResult {
  readonly scope: Scope;
  /** True when this call created the scope (HTTP 201), false when it updated it (200). */
  readonly created: boolean;
}

/** A project's scope catalog: the permissions its keys may hold. */
export class Scopes {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Creates the scope or updates its description; safe to repeat. */
  async put(project: string, name: string, params: PutScopeRequest = {}, options?: RequestOptions): Promise<PutScopeResult> {
    const answer = await this.#transport.call(routes.putScope, { params: { project, scope: name }, body: params }, options);
    return { scope: answer.data, created: answer.status === 201 };
  }

  list(project: string, query: ScopeListQuery = {}, options?: RequestOptions): PagedList<Scope> {
    return new PagedList((cursor) => this.page(project, { ...query, ...(cursor ? { cursor } : {}) }, options));
  }

  async page(project: string, query: ScopeListQuery = {}, options?: RequestOptions): Promise<Page<Scope>> {
    return (await this.#transport.call(routes.listScopes, { params: { project }, query }, options)).data;
  }

  /** Fails with a `ConflictError` while a key that is not revoked holds the scope. */
  async delete(project: string, name: string, options?: RequestOptions): Promise<void> {
    await this.#transport.call(routes.deleteScope, { params: { project, scope: name } }, options);
  }
}
