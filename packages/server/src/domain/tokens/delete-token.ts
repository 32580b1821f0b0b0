import { notFound } from "../api-error";
import { type Caller, requireProject } from "../authorization";
import { mutate } from "../mutation";
import { tokenEvent } from "../webhooks/webhook-event";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";

/** Revokes a management token at once, on every instance. */
export async function deleteToken(services: Services, context: RequestContext & { caller: Caller }, id: string): Promise<void> {
  await mutate(services, context, async (m) => {
    const token = await m.stores.tokens.get(id);
    if (!token || token.revokedAt) throw notFound(`token '${id}'`);
    if (context.caller.project) requireProject(context.caller, token.project ?? "(unbound)");
    await m.stores.tokens.revoke(id, m.now);
    await m.audit({ action: "token.delete", target: id, project: token.project, environment: token.environment, details: { name: token.name } });
    m.changed({ kind: "token", id });
    await m.emit(tokenEvent("token.revoked", { ...token, revokedAt: m.now }));
  });
}
