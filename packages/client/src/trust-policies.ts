import { type PutTrustPolicyRequest, routes, type TrustPolicy } from "@keyward/contract";
import type { z } from "zod";
import { type Page, PagedList } from "./paged-list";
import type { RequestOptions, Transport } from "./transport";

export type TrustPolicyListQuery = Partial<z.output<typeof routes.listTrustPolicies.query>>;
export type PutTrustPolicyParams = z.input<typeof PutTrustPolicyRequest>;

export interface PutTrustPolicyResult {
  readonly policy: TrustPolicy;
  /** True when this call created the policy (HTTP 201), false when it replaced it (200). */
  readonly created: boolean;
}

/**
 * Trust policies (SPEC §14): which external workloads, e.g. a GitHub Actions job of one repository
 * on one branch, may exchange an OIDC ID token for a short-lived management token.
 */
export class TrustPolicies {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Creates or replaces the policy `name`; safe to repeat. */
  async put(name: string, params: PutTrustPolicyParams, options?: RequestOptions): Promise<PutTrustPolicyResult> {
    const answer = await this.#transport.call(routes.putTrustPolicy, { params: { name }, body: params }, options);
    return { policy: answer.data, created: answer.status === 201 };
  }

  async get(name: string, options?: RequestOptions): Promise<TrustPolicy> {
    return (await this.#transport.call(routes.getTrustPolicy, { params: { name } }, options)).data;
  }

  list(query: TrustPolicyListQuery = {}, options?: RequestOptions): PagedList<TrustPolicy> {
    return new PagedList((cursor) => this.page({ ...query, ...(cursor ? { cursor } : {}) }, options));
  }

  async page(query: TrustPolicyListQuery = {}, options?: RequestOptions): Promise<Page<TrustPolicy>> {
    return (await this.#transport.call(routes.listTrustPolicies, { query }, options)).data;
  }

  async delete(name: string, options?: RequestOptions): Promise<void> {
    await this.#transport.call(routes.deleteTrustPolicy, { params: { name } }, options);
  }
}
