import { type Webhook, WEBHOOK_ID_PATTERN, webhookEventTypes } from "@keyward/contract";
import { check, checkEach, rules, type Rule } from "../configuration-rules";
import { cty, DiagnosticError, Diagnostics, type ObjectValue, type ResourceDefinition, type Value } from "@keyward/terraform-plugin";
import type { KeywardContext } from "../provider-context";
import { request, unlessNotFound } from "../request-failure";

/**
 * `keyward_webhook`: signed event deliveries (Standard Webhooks, SPEC §15). The API cannot change
 * a webhook, so every setting replaces it (and issues a new signing secret).
 */
const webhookEvent: Rule = (value, path) =>
  (webhookEventTypes as readonly string[]).includes(value)
    ? undefined
    : Diagnostics.invalidAttribute(path, `"${value}" is not a webhook event. Expected one of ${webhookEventTypes.join(", ")}.`);

const webhookUrl: Rule = (value, path) =>
  URL.canParse(value) && ["https:", "http:"].includes(new URL(value).protocol)
    ? undefined
    : Diagnostics.invalidAttribute(path, `"${value}" is not a webhook URL. Expected an absolute https:// URL such as https://hooks.example.com/keyward.`);

export const webhookResource: ResourceDefinition<KeywardContext> = {
  typeName: "keyward_webhook",
  schema: {
    description:
      "A webhook: the key service POSTs the chosen events to `url`, signed per Standard Webhooks with `secret` (verify with the `standardwebhooks` library). Any change replaces the webhook and issues a new secret.",
    attributes: {
      id: { type: cty.string, computed: true, description: "Webhook id (`whk_` and 20 letters or digits)." },
      url: { type: cty.string, required: true, requiresReplace: true, description: "The receiver's URL: https:// (http:// only on a server started with --allow-private-webhooks)." },
      events: { type: cty.set(cty.string), required: true, requiresReplace: true, description: `Events to deliver: ${webhookEventTypes.map((event) => `\`${event}\``).join(", ")}.` },
      project: { type: cty.string, optional: true, requiresReplace: true, description: "Deliver only this project's events (default: the provider token's project binding, else every project)." },
      environment: { type: cty.string, optional: true, requiresReplace: true, description: "Deliver only `test` or `live` events (default: the token's environment binding, else both)." },
      created_at: { type: cty.string, computed: true, description: "When the webhook was created (RFC 3339)." },
      secret: { type: cty.string, computed: true, sensitive: true, description: "The signing secret (`whsec_` + base64), known to the state that created it (null after import)." },
    },
  },

  validate(config) {
    return [
      ...check(config, ["url"], webhookUrl),
      ...checkEach(config, ["events"], webhookEvent),
      ...check(config, ["project"], rules.projectName),
      ...check(config, ["environment"], rules.environment),
    ];
  },

  async create({ client }, { planned }) {
    const url = planned.url as string;
    const created = await request(`create webhook for ${new URL(url).host}`, () =>
      client.keyward.webhooks.create({
        url,
        events: planned.events as (typeof webhookEventTypes)[number][],
        ...(typeof planned.project === "string" ? { project: planned.project } : {}),
        ...(planned.environment === "test" || planned.environment === "live" ? { environment: planned.environment } : {}),
      }),
    );
    return webhookState(created.webhook, created.secret.reveal(), planned);
  },

  async read({ client }, state) {
    const id = state.id as string;
    const webhook = await request(`read webhook ${id}`, () => unlessNotFound(() => client.keyward.webhooks.get(id)));
    return webhook ? webhookState(webhook, state.secret ?? null, state) : null;
  },

  async update(_context, { planned }) {
    return planned;
  },

  async delete({ client }, prior) {
    const id = prior.id as string;
    await request(`delete webhook ${id}`, () => unlessNotFound(() => client.keyward.webhooks.delete(id)));
  },

  async importState(_context, id) {
    if (!WEBHOOK_ID_PATTERN.test(id)) {
      throw new DiagnosticError([Diagnostics.unsupported("Invalid import id", `"${id}" is not a webhook id. Expected whk_ and 20 letters or digits.`)]);
    }
    return { id };
  },
};

/**
 * `project` and `environment` stay null in state when the configuration left them out and the
 * server filled them from the token's binding, so a plan right after apply shows no change. An
 * imported state (no `created_at` yet) takes the server's values.
 */
function webhookState(webhook: Webhook, secret: Value, prior: ObjectValue): ObjectValue {
  const fromConfiguration = prior.created_at === undefined || typeof prior.created_at === "string";
  const keepUnset = (attribute: "project" | "environment") => (fromConfiguration && prior[attribute] === null ? null : webhook[attribute]);
  return {
    id: webhook.id,
    url: webhook.url,
    events: [...webhook.events],
    project: keepUnset("project"),
    environment: keepUnset("environment"),
    created_at: webhook.created_at,
    secret,
  };
}
