import { describeIssues, type ErrorBody, routes, summarizeIssues } from "@keyward/contract";
import { ApiError } from "../domain/api-error";
import { IssuerUnavailableError } from "../domain/id-token-verifier";
import { type ExchangeRefusalReason, exchangeToken } from "../domain/tokens/exchange-token";
import { definePublicRoute, type RouteKit, sourceIpOf } from "./route-kit";

/** What the caller is told; no message names a policy, so nothing reveals which ones exist. */
const refusalMessages: Record<ExchangeRefusalReason, string> = {
  malformed: "jwt: must be a signed OIDC ID token (a JWT)",
  issuer_not_allowed: "the ID token's issuer is not one this server trusts",
  unknown_key: "the ID token is not signed by a key its issuer publishes",
  bad_signature: "the ID token's signature does not verify",
  algorithm_not_allowed: "the ID token is signed with an algorithm this server does not accept",
  expired: "the ID token has expired",
  not_yet_valid: "the ID token is not valid yet",
  missing_claim: "the ID token lacks a required claim (exp, iat, jti)",
  bad_claim: "the ID token carries an invalid claim",
  no_matching_policy: "no trust policy accepts this ID token",
  replayed: "this ID token was already exchanged",
};

/**
 * `POST /v1/tokens/exchange` (SPEC §14): no bearer token. A refusal is a failed authentication:
 * it counts toward the per-IP limit like a bad token, and it is audited (by the domain operation,
 * with the token's subject, repository and run, never the token).
 */
export function registerTokenExchangeRoute(kit: RouteKit): void {
  const route = routes.exchangeToken;
  definePublicRoute(kit, route, async (request, reply) => {
    const sourceIp = sourceIpOf(request);
    const retryAfter = kit.failedAuth.retryAfter(sourceIp, kit.services.clock().getTime());
    if (retryAfter > 0) {
      throw Object.assign(new ApiError("RATE_LIMITED", "too many failed authentications from this address; try again later"), { retryAfter });
    }
    const parsed = route.body.safeParse(request.body ?? {});
    if (!parsed.success) {
      const issues = describeIssues("body", parsed.error);
      throw new ApiError("BAD_REQUEST", summarizeIssues(issues), issues);
    }
    let outcome: Awaited<ReturnType<typeof exchangeToken>>;
    try {
      outcome = await exchangeToken(kit.services, { caller: null, requestId: request.id, sourceIp }, parsed.data.jwt);
    } catch (error) {
      if (error instanceof IssuerUnavailableError) throw new ApiError("UNAVAILABLE", `${error.message}; try again later`);
      throw error;
    }
    if (outcome.accepted) {
      if (kit.checkResponses) route.response.parse(outcome.answer);
      return reply.status(route.status).send(outcome.answer);
    }
    kit.failedAuth.fail(sourceIp, kit.services.clock().getTime());
    // Answered here rather than thrown: the refusal is already audited with what the token claims.
    const body: ErrorBody = { error: { code: "UNAUTHORIZED", message: refusalMessages[outcome.reason], request_id: request.id } };
    return reply.status(401).type("application/json").send(body);
  });
}
