import { type CreateTokenRequest, type CreateTokenResponse, type ManagementToken, routes, Secret } from "@keyward/contract";
import type { z } from "zod";
import { type Page, PagedList } from "./paged-list";
import type { RequestOptions, Transport } from "./transport";

export type TokenListQuery = Partial<z.output<typeof routes.listTokens.query>>;
export type CreateTokenParams = z.input<typeof CreateTokenRequest>;
/** A created management token: the secret is in this value only, and only as a `Secret`. */
export type CreatedToken = Omit<CreateTokenResponse, "secret"> & { readonly secret: Secret };

/** Management tokens: the credentials this API is called with. */
export class Tokens {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  async create(params: CreateTokenParams, options?: RequestOptions): Promise<CreatedToken> {
    const { data } = await this.#transport.call(routes.createToken, { body: params }, options);
    return { ...data, secret: new Secret(data.secret) };
  }

  list(query: TokenListQuery = {}, options?: RequestOptions): PagedList<ManagementToken> {
    return new PagedList((cursor) => this.page({ ...query, ...(cursor ? { cursor } : {}) }, options));
  }

  async page(query: TokenListQuery = {}, options?: RequestOptions): Promise<Page<ManagementToken>> {
    return (await this.#transport.call(routes.listTokens, { query }, options)).data;
  }

  async delete(id: string, options?: RequestOptions): Promise<void> {
    await this.#transport.call(routes.deleteToken, { params: { id } }, options);
  }
}
