import {
  type ApiKey,
  type CreateKeyRequest,
  type CreateKeyResponse,
  type KeyUsage,
  type ListKeysQuery,
  type RotateKeyRequest,
  type RotateKeyResponse,
  routes,
  Secret,
  type UpdateKeyRequest,
  type UsageQuery,
} from "@keyward/contract";
import type { z } from "zod";
import { type Page, PagedList } from "./paged-list";
import type { RequestOptions, Transport } from "./transport";

export type KeyListQuery = Partial<ListKeysQuery>;
export type KeyUsageQuery = Partial<UsageQuery>;
/**
 * A secret the caller generated (SPEC §13) travels as a `Secret`, so it cannot print itself on its
 * way to the request body.
 */
type WithSuppliedSecret<T> = Omit<T, "secret"> & { readonly secret?: Secret };
export type CreateKeyParams = WithSuppliedSecret<z.input<typeof CreateKeyRequest>>;
export type UpdateKeyParams = z.input<typeof UpdateKeyRequest>;
export type RotateKeyParams = WithSuppliedSecret<z.input<typeof RotateKeyRequest>>;

function withRevealedSecret<T extends { readonly secret?: Secret }>(params: T): Omit<T, "secret"> & { secret?: string } {
  const { secret, ...rest } = params;
  return secret === undefined ? rest : { ...rest, secret: secret.reveal() };
}

/** A created key: the secret is in this value only, and only as a `Secret`. */
export type CreatedKey = Omit<CreateKeyResponse, "secret"> & { readonly secret: Secret };
/** A rotated key: the new secret, and until when the previous one still verifies. */
export type RotatedKey = Omit<RotateKeyResponse, "secret"> & { readonly secret: Secret };

/** API keys: issue, list, change, rotate, roll back, revoke and delete. */
export class Keys {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Issues a key. The answer holds its secret; no later call can return it again. */
  async create(params: CreateKeyParams, options?: RequestOptions): Promise<CreatedKey> {
    const { data } = await this.#transport.call(routes.createKey, { body: withRevealedSecret(params) }, options);
    return { ...data, secret: new Secret(data.secret) };
  }

  /** Every key matching `query`, fetched page by page as you iterate. */
  list(query: KeyListQuery = {}, options?: RequestOptions): PagedList<ApiKey> {
    return new PagedList((cursor) => this.page({ ...query, ...(cursor ? { cursor } : {}) }, options));
  }

  async page(query: KeyListQuery = {}, options?: RequestOptions): Promise<Page<ApiKey>> {
    return (await this.#transport.call(routes.listKeys, { query }, options)).data;
  }

  async get(id: string, options?: RequestOptions): Promise<ApiKey> {
    return (await this.#transport.call(routes.getKey, { params: { id } }, options)).data;
  }

  /** Changes only the fields present in `patch`; `null` clears an optional setting. */
  async update(id: string, patch: UpdateKeyParams, options?: RequestOptions): Promise<ApiKey> {
    return (await this.#transport.call(routes.updateKey, { params: { id }, body: patch }, options)).data;
  }

  /**
   * Issues a new secret; the previous one keeps verifying for the grace period. Retries reuse one
   * `Idempotency-Key`, so a retried rotation never rotates twice.
   */
  async rotate(id: string, params: RotateKeyParams = {}, options?: RequestOptions): Promise<RotatedKey> {
    const { data } = await this.#transport.call(routes.rotateKey, { params: { id }, body: withRevealedSecret(params) }, options);
    return { ...data, secret: new Secret(data.secret) };
  }

  /** Undoes the latest rotation while the previous secret is still valid. */
  async rollback(id: string, options?: RequestOptions): Promise<ApiKey> {
    return (await this.#transport.call(routes.rollbackKey, { params: { id }, body: {} }, options)).data;
  }

  /** Revokes every secret of the key, effective on the very next verification. */
  async revoke(id: string, options?: RequestOptions): Promise<ApiKey> {
    return (await this.#transport.call(routes.revokeKey, { params: { id }, body: {} }, options)).data;
  }

  async delete(id: string, options?: RequestOptions): Promise<void> {
    await this.#transport.call(routes.deleteKey, { params: { id } }, options);
  }

  /** Verification counts by outcome per hour or day, and the last use. */
  async usage(id: string, query: KeyUsageQuery = {}, options?: RequestOptions): Promise<KeyUsage> {
    return (await this.#transport.call(routes.getKeyUsage, { params: { id }, query }, options)).data;
  }
}
