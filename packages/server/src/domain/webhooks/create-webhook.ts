import type { CreateWebhookRequest, CreateWebhookResponse } from "@keyward/contract";
import { ApiError, badRequest } from "../api-error";
import { type Caller, requireInsideBinding } from "../authorization";
import { mutate } from "../mutation";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { sealSigningSecret } from "./sealed-signing-secret";
import { presentWebhook } from "./webhook-view";

/**
 * A webhook delivers only what its creator could see: an omitted binding inherits the token's, and
 * a bound token cannot create a webhook outside its binding. The URL is checked before anything is
 * written (scheme and resolved addresses, SSRF); the signing secret is in this answer only.
 */
export async function createWebhook(services: Services, context: RequestContext & { caller: Caller }, request: CreateWebhookRequest): Promise<CreateWebhookResponse> {
  const { caller } = context;
  const project = request.project ?? caller.project;
  const environment = request.environment ?? caller.environment;
  requireInsideBinding(caller, { project: project ?? null, environment: environment ?? null }, "webhooks");
  const refusal = await services.webhooks.refusal(new URL(request.url));
  if (refusal) throw badRequest("body.url", refusal);
  return mutate(services, context, async (m) => {
    if (project && !(await m.stores.projects.get(project))) {
      throw new ApiError("NOT_FOUND", `body.project: project '${project}' was not found`, [{ field: "body.project", message: "must name an existing project" }]);
    }
    const id = services.issuer.id("whk");
    const secret = services.issuer.webhookSecret();
    const webhook = {
      id,
      url: request.url,
      events: request.events,
      project: project ?? null,
      environment: environment ?? null,
      sealedSecret: sealSigningSecret(services.pepper, id, secret),
      createdBy: caller.id,
      createdAt: m.now,
    };
    await m.stores.webhooks.insert(webhook);
    await m.audit({
      action: "webhook.create",
      target: id,
      project: webhook.project,
      environment: webhook.environment,
      details: { host: new URL(webhook.url).host, events: webhook.events },
    });
    return { webhook: presentWebhook(webhook), secret: secret.reveal() };
  });
}
