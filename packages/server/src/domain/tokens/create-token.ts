import type { CreateTokenRequest, CreateTokenResponse } from "@keyward/contract";
import { ApiError, badRequest, forbidden } from "../api-error";
import { type Authority, authorityExceeded, type Caller } from "../authorization";
import { mutate } from "../mutation";
import { tokenEvent } from "../webhooks/webhook-event";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { presentToken } from "../token-view";

/**
 * A token can only hand out what lies inside its own authority (SPEC §10): scopes it holds,
 * a binding at least as narrow, an expiry no later. An omitted binding or expiry inherits the
 * creator's, so a token that expires never mints one that does not.
 */
export function createToken(services: Services, context: RequestContext & { caller: Caller }, request: CreateTokenRequest): Promise<CreateTokenResponse> {
  const { caller } = context;
  const wanted: Authority = {
    scopes: request.scopes,
    project: request.project ?? caller.project,
    environment: request.environment ?? caller.environment,
    expiresAt: request.expires_at ? new Date(request.expires_at) : caller.expiresAt,
  };
  const exceeded = authorityExceeded(caller, wanted);
  if (exceeded) throw forbidden(`a token can grant only what lies inside its own authority; body.${exceeded}`);
  return mutate(services, context, async (m) => {
    if (wanted.project && !(await m.stores.projects.get(wanted.project))) {
      throw new ApiError("NOT_FOUND", `body.project: project '${wanted.project}' was not found`, [{ field: "body.project", message: "must name an existing project" }]);
    }
    if (wanted.expiresAt && wanted.expiresAt <= m.now) throw badRequest("body.expires_at", "must be in the future");
    const secret = services.issuer.tokenSecret();
    const token = {
      id: services.issuer.id("tok"),
      name: request.name,
      ...wanted,
      digest: services.pepper.digest(secret.reveal()),
      hint: secret.hint,
      createdAt: m.now,
      lastUsedAt: null,
      revokedAt: null,
    };
    await m.stores.tokens.insert(token);
    await m.audit({
      action: "token.create",
      target: token.id,
      project: token.project,
      environment: token.environment,
      details: { name: token.name, scopes: token.scopes },
    });
    await m.emit(tokenEvent("token.created", token));
    return { token: presentToken(token), secret: secret.reveal() };
  });
}
