import { type CreateWebhookRequest, type CreateWebhookResponse, routes, Secret, type Webhook, type WebhookDelivery } from "@keyward/contract";
import type { z } from "zod";
import { type Page, PagedList } from "./paged-list";
import type { RequestOptions, Transport } from "./transport";

export type WebhookListQuery = Partial<z.output<typeof routes.listWebhooks.query>>;
export type DeliveryListQuery = Partial<z.output<typeof routes.listWebhookDeliveries.query>>;
export type CreateWebhookParams = z.input<typeof CreateWebhookRequest>;
/** A created webhook: the signing secret (`whsec_…`) is in this value only, and only as a `Secret`. */
export type CreatedWebhook = Omit<CreateWebhookResponse, "secret"> & { readonly secret: Secret };

/**
 * Webhooks: signed event deliveries (Standard Webhooks). Verify them in your receiver with the
 * `standardwebhooks` package and the secret from `create`.
 */
export class Webhooks {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  async create(params: CreateWebhookParams, options?: RequestOptions): Promise<CreatedWebhook> {
    const { data } = await this.#transport.call(routes.createWebhook, { body: params }, options);
    return { ...data, secret: new Secret(data.secret) };
  }

  list(query: WebhookListQuery = {}, options?: RequestOptions): PagedList<Webhook> {
    return new PagedList((cursor) => this.page({ ...query, ...(cursor ? { cursor } : {}) }, options));
  }

  async page(query: WebhookListQuery = {}, options?: RequestOptions): Promise<Page<Webhook>> {
    return (await this.#transport.call(routes.listWebhooks, { query }, options)).data;
  }

  async get(id: string, options?: RequestOptions): Promise<Webhook> {
    return (await this.#transport.call(routes.getWebhook, { params: { id } }, options)).data;
  }

  async delete(id: string, options?: RequestOptions): Promise<void> {
    await this.#transport.call(routes.deleteWebhook, { params: { id } }, options);
  }

  /** The delivery log, newest first, fetched page by page as you iterate. */
  deliveries(id: string, query: DeliveryListQuery = {}, options?: RequestOptions): PagedList<WebhookDelivery> {
    return new PagedList((cursor) => this.deliveriesPage(id, { ...query, ...(cursor ? { cursor } : {}) }, options));
  }

  async deliveriesPage(id: string, query: DeliveryListQuery = {}, options?: RequestOptions): Promise<Page<WebhookDelivery>> {
    return (await this.#transport.call(routes.listWebhookDeliveries, { params: { id }, query }, options)).data;
  }
}
