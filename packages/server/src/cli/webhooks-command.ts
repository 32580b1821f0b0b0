import type { Environment, Webhook, WebhookDelivery, WebhookEventType } from "@keyward/client";
import type { Command } from "commander";
import { type ClientCommandContext, repeatable } from "./client-command-context";

const head = ["ID", "URL", "EVENTS", "PROJECT", "ENV", "CREATED"];
const rowOf = (webhook: Webhook) => [webhook.id, webhook.url, webhook.events, webhook.project, webhook.environment, webhook.created_at];
const deliveryHead = ["ID", "EVENT", "STATUS", "ATTEMPTS", "LAST STATUS", "LAST ATTEMPT", "NEXT ATTEMPT"];
const deliveryRowOf = (delivery: WebhookDelivery) => {
  const last = delivery.attempts.at(-1);
  return [delivery.id, delivery.event, delivery.status, delivery.attempts.length, last?.status_code ?? last?.error, last?.at, delivery.next_attempt_at];
};

interface CreateFlags {
  url: string;
  event: string[];
  project?: string;
  environment?: string;
  idempotencyKey?: string;
  json?: boolean;
}

/** `keyward webhooks create|list|get|delete|deliveries`: signed event deliveries (SPEC §15). */
export function registerWebhooksCommand(program: Command, context: ClientCommandContext): void {
  const webhooks = program.command("webhooks").description("Create, list and delete webhooks; read their delivery log");
  const { output } = context;

  webhooks
    .command("create")
    .description("Create a webhook; its signing secret (whsec_…) is printed once, alone on stdout")
    .requiredOption("--url <url>", "the receiver's https:// URL")
    .option("--event <event>", "an event such as key.rotated or key.exposed (repeat for more)", repeatable, [])
    .option("--project <project>", "only this project's events")
    .option("--environment <environment>", "only test or live events")
    .option("--idempotency-key <key>", "makes a repeated create return the first answer")
    .option("--json", "print JSON (includes the signing secret)")
    .action(
      context.action(async (flags: CreateFlags) => {
        const created = await context.client.webhooks.create(
          {
            url: flags.url,
            events: flags.event as WebhookEventType[],
            ...(flags.project !== undefined && { project: flags.project }),
            ...(flags.environment !== undefined && { environment: flags.environment as Environment }),
          },
          flags.idempotencyKey !== undefined ? { idempotencyKey: flags.idempotencyKey } : {},
        );
        if (flags.json) return output.json({ webhook: created.webhook, secret: created.secret.reveal() });
        output.record(head.map((name, index) => [name.toLowerCase(), rowOf(created.webhook)[index]] as const), "stderr");
        output.notice("The signing secret follows on stdout. It is shown this once: store it where the receiver can read it.");
        output.line(created.secret.reveal());
      }),
    );

  webhooks
    .command("list")
    .description("List webhooks")
    .option("--project <project>", "only this project's webhooks")
    .option("--json", "print JSON")
    .action(
      context.action(async (flags: { project?: string; json?: boolean }) => {
        const all = await context.client.webhooks.list({ limit: 100, ...(flags.project !== undefined && { project: flags.project }) }).toArray();
        if (flags.json) return output.json(all);
        output.table(head, all.map(rowOf), "No webhooks.");
      }),
    );

  webhooks
    .command("get")
    .argument("<id>", "webhook id (whk_…)")
    .description("Show a webhook (never its signing secret)")
    .option("--json", "print JSON")
    .action(
      context.action(async (id: string, flags: { json?: boolean }) => {
        const webhook = await context.client.webhooks.get(id);
        if (flags.json) return output.json(webhook);
        output.record(head.map((name, index) => [name.toLowerCase(), rowOf(webhook)[index]] as const));
      }),
    );

  webhooks
    .command("delete")
    .argument("<id>", "webhook id (whk_…)")
    .description("Delete a webhook and its queued deliveries")
    .option("--json", "print JSON")
    .action(
      context.action(async (id: string, flags: { json?: boolean }) => {
        await context.client.webhooks.delete(id);
        if (flags.json) return output.json({ deleted: id });
        output.notice(`Deleted webhook ${id}.`);
      }),
    );

  webhooks
    .command("deliveries")
    .argument("<id>", "webhook id (whk_…)")
    .description("The delivery log, newest first: attempts, status codes and times")
    .option("--status <status>", "pending, succeeded or failed")
    .option("--limit <n>", "at most this many deliveries", "20")
    .option("--json", "print JSON")
    .action(
      context.action(async (id: string, flags: { status?: string; limit: string; json?: boolean }) => {
        const limit = Number(flags.limit);
        const page = await context.client.webhooks.deliveriesPage(id, {
          limit: Number.isInteger(limit) ? limit : Number.NaN,
          ...(flags.status !== undefined && { status: flags.status as WebhookDelivery["status"] }),
        });
        if (flags.json) return output.json(page.data);
        output.table(deliveryHead, page.data.map(deliveryRowOf), "No deliveries.");
      }),
    );
}
