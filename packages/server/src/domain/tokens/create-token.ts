import type { CreateTokenRequest, CreateTokenResponse } from "@keyward/contract";
import { ApiError, badRequest, forbidden } from "../api-error";
import { type Caller, holds } from "../authorization";
import { mutate } from "../mutation";
import { tokenEvent } from "../webhooks/webhook-event";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { presentToken } from "../token-view";

/**
 * A token can only hand out what it holds: scopes it has (admin has all) and a binding at least as
 * narrow as its own. An omitted binding inherits the creator's.
 */
export function createToken(services: Services, context: RequestContext & { caller: Caller }, request: CreateTokenRequest): Promise<CreateTokenResponse> {
  const { caller } = context;
  const missing = request.scopes.filter((scope) => !holds(caller, scope) || (scope === "admin" && !caller.scopes.includes("admin")));
  if (missing.length > 0) throw forbidden(`this token cannot grant scopes it does not hold: ${missing.join(", ")}`);
  const project = request.project ?? caller.project;
  const environment = request.environment ?? caller.environment;
  if (caller.project && project !== caller.project) throw forbidden(`this token is bound to project '${caller.project}' and can only create tokens bound to it`);
  if (caller.environment && environment !== caller.environment) {
    throw forbidden(`this token is bound to the '${caller.environment}' environment and can only create tokens bound to it`);
  }
  return mutate(services, context, async (m) => {
    if (project && !(await m.stores.projects.get(project))) {
      throw new ApiError("NOT_FOUND", `body.project: project '${project}' was not found`, [{ field: "body.project", message: "must name an existing project" }]);
    }
    const expiresAt = request.expires_at ? new Date(request.expires_at) : null;
    if (expiresAt && expiresAt <= m.now) throw badRequest("body.expires_at", "must be in the future");
    const secret = services.issuer.tokenSecret();
    const token = {
      id: services.issuer.id("tok"),
      name: request.name,
      scopes: request.scopes,
      project: project ?? null,
      environment: environment ?? null,
      digest: services.pepper.digest(secret.reveal()),
      hint: secret.hint,
      expiresAt,
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
