import type { TokenRecord } from "../../storage/token-store";
import { conflict, notFound } from "../api-error";
import { authorityExceeded, type Caller, OutsideAuthorityError } from "../authorization";
import { mutate } from "../mutation";
import { tokenEvent } from "../webhooks/webhook-event";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";

/**
 * Revokes a management token at once, on every instance. Only a token whose authority lies inside
 * the caller's can be revoked (any other is "not found"), and never the last admin token with no
 * binding: the service would have no way left to manage it (SPEC §10).
 */
export async function deleteToken(services: Services, context: RequestContext & { caller: Caller }, id: string): Promise<void> {
  await mutate(services, context, async (m) => {
    const token = await m.stores.tokens.get(id);
    if (!token || token.revokedAt) throw notFound(`token '${id}'`);
    const exceeded = authorityExceeded(context.caller, token);
    if (exceeded) throw new OutsideAuthorityError(`token '${id}'`, `the token's authority exceeds the caller's: ${exceeded}`);
    if (isRootLike(token, m.now)) {
      const admins = await m.stores.tokens.lockActiveRootTokens(m.now);
      if (!admins.some((other) => other.id !== token.id && outlives(other, token))) {
        throw conflict(
          `token '${id}' is the last active admin token with no binding, which can never be revoked; create another first, or run \`keyward token recover\` on the server`,
        );
      }
    }
    await m.stores.tokens.revoke(id, m.now);
    await m.audit({ action: "token.delete", target: id, project: token.project, environment: token.environment, details: { name: token.name } });
    m.changed({ kind: "token", id });
    await m.emit(tokenEvent("token.revoked", { ...token, revokedAt: m.now }));
  });
}

function isRootLike(token: TokenRecord, now: Date): boolean {
  return token.scopes.includes("admin") && token.project === null && token.environment === null && (token.expiresAt === null || token.expiresAt > now);
}

/** Another root token keeps the service manageable at least as long as `token` would have. */
function outlives(other: TokenRecord, token: TokenRecord): boolean {
  return other.expiresAt === null || (token.expiresAt !== null && other.expiresAt >= token.expiresAt);
}
