import { z } from "zod";
import { PageQuery } from "./common";
import { ApiKey } from "./keys";
import { Environment, ProjectName, Timestamp } from "./names";
import { ManagementToken } from "./tokens";

/** The events of SPEC §15. */
export const webhookEventTypes = [
  "key.created",
  "key.updated",
  "key.rotated",
  "key.rolled_back",
  "key.revoked",
  "key.deleted",
  "key.expiring",
  "key.rotation_overdue",
  "key.exposed",
  "token.created",
  "token.revoked",
] as const;
export const WebhookEventType = z
  .enum(webhookEventTypes, { error: `must be one of ${webhookEventTypes.join(", ")}` })
  .describe("An event a webhook can subscribe to.");
export type WebhookEventType = z.infer<typeof WebhookEventType>;

export const WEBHOOK_ID_PATTERN = /^whk_[0-9A-Za-z]{20}$/;
export const WebhookId = z
  .string()
  .regex(WEBHOOK_ID_PATTERN, { error: "must be a webhook id: 'whk_' and 20 letters or digits" })
  .describe("A webhook id: `whk_` and 20 letters or digits.");

/**
 * Where deliveries go. Only `https://` unless the server runs with `--allow-private-webhooks`
 * (which also lets a URL resolve to loopback or private addresses): the server re-checks the
 * address at every delivery, so a DNS answer that changes later cannot point it inward.
 */
export const WebhookUrl = z
  .string()
  .max(2048, { error: "must be at most 2048 characters" })
  .refine((text) => URL.canParse(text) && ["http:", "https:"].includes(new URL(text).protocol), {
    error: "must be an absolute https:// URL (http:// only on a server started with --allow-private-webhooks)",
  })
  .refine((text) => !URL.canParse(text) || (new URL(text).username === "" && new URL(text).password === ""), {
    error: "must not carry a user name or password",
  })
  .describe("The receiver's URL: https:// (http:// only on a server started with --allow-private-webhooks).");

const EventList = z
  .array(WebhookEventType)
  .min(1, { error: "must name at least one event" })
  .refine((events) => new Set(events).size === events.length, { error: "must not repeat an event" })
  .describe("The events delivered to this webhook.");

export const Webhook = z
  .object({
    id: WebhookId,
    url: z.string().describe("Where deliveries are POSTed."),
    events: z.array(WebhookEventType).describe("The events delivered to this webhook."),
    project: ProjectName.nullable().describe("Only this project's events; null: every project."),
    environment: Environment.nullable().describe("Only this environment's events; null: both."),
    created_at: Timestamp,
  })
  .describe("A webhook subscription. Its signing secret is shown only when it is created.");
export type Webhook = z.infer<typeof Webhook>;

export const CreateWebhookRequest = z
  .strictObject({
    url: WebhookUrl,
    events: EventList,
    project: ProjectName.optional().describe("Deliver only this project's events; default the token's project binding, else every project."),
    environment: Environment.optional().describe("Deliver only this environment's events; default the token's environment binding, else both."),
  })
  .describe("A new webhook.")
  .meta({ examples: [{ url: "https://hooks.example.com/keyward", events: ["key.exposed", "key.expiring"], project: "billing" }] });
export type CreateWebhookRequest = z.infer<typeof CreateWebhookRequest>;

/** The one time the signing secret travels (Standard Webhooks: `whsec_` + base64 of 32 random bytes). */
export const CreateWebhookResponse = z
  .object({
    webhook: Webhook,
    secret: z.string().describe("The signing secret, `whsec_` + base64; shown in this answer only."),
  })
  .describe("The created webhook and its signing secret.");
export type CreateWebhookResponse = z.infer<typeof CreateWebhookResponse>;

export const WebhookParams = z.strictObject({ id: WebhookId });

export const ListWebhooksQuery = z.strictObject({
  project: ProjectName.optional().describe("Only webhooks of this project."),
  ...PageQuery,
});
export type ListWebhooksQuery = z.infer<typeof ListWebhooksQuery>;

export const deliveryStatuses = ["pending", "succeeded", "failed"] as const;
export const DeliveryStatus = z
  .enum(deliveryStatuses, { error: "must be 'pending', 'succeeded' or 'failed'" })
  .describe("pending: queued or being retried; succeeded: a 2xx answer; failed: no 2xx answer within 24 h.");

export const DeliveryAttempt = z
  .object({
    at: Timestamp.describe("When the attempt started."),
    status_code: z.number().int().nullable().describe("The receiver's HTTP status; null when no answer came."),
    error: z.string().nullable().describe("Why no answer came (timeout, refused address, connection error); never a body."),
    duration_ms: z.number().int().min(0).describe("How long the attempt took, in milliseconds."),
  })
  .describe("One attempt to deliver an event.");

export const WebhookDelivery = z
  .object({
    id: z.string().describe("The delivery id."),
    webhook_id: WebhookId,
    message_id: z.string().describe("The event's `webhook-id` header: the same on every retry, so a receiver can drop duplicates."),
    event: WebhookEventType,
    status: DeliveryStatus,
    attempts: z.array(DeliveryAttempt).describe("Every attempt so far, oldest first."),
    next_attempt_at: Timestamp.nullable().describe("When the next attempt is due; null once succeeded or failed."),
    created_at: Timestamp,
  })
  .describe("The log of one event's delivery to one webhook (attempts, status codes, times; never the body).");
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const ListDeliveriesQuery = z.strictObject({
  status: DeliveryStatus.optional(),
  ...PageQuery,
});
export type ListDeliveriesQuery = z.infer<typeof ListDeliveriesQuery>;

/**
 * The body of every delivery, as Standard Webhooks recommends: `{type, timestamp, data}`. `data`
 * holds the key or token as the API shows it (never a secret, only its hint) and, per event,
 * `days_before` (key.expiring), `url`/`source`/`response` (key.exposed).
 */
export const WebhookPayload = z
  .object({
    type: WebhookEventType,
    timestamp: Timestamp.describe("When the event happened."),
    data: z
      .object({
        key: ApiKey.optional(),
        token: ManagementToken.optional(),
        days_before: z.number().int().optional().describe("key.expiring: the threshold that fired."),
        url: z.string().optional().describe("key.exposed: where the secret was found."),
        source: z.string().optional().describe("key.exposed: what kind of place (content, commit, …)."),
        response: z.enum(["revoke", "rotate", "notify"]).optional().describe("key.exposed: what the exposure policy did."),
      })
      .passthrough(),
  })
  .describe("The JSON body of a webhook delivery.");
export type WebhookPayload = z.infer<typeof WebhookPayload>;
