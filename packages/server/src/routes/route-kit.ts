import { checkInput, type Route, summarizeIssues } from "@keyward/contract";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import { ApiError, unauthorized } from "../domain/api-error";
import { type Caller, requirePermission, requireTargetBinding } from "../domain/authorization";
import type { FailedAuthLimiter } from "../domain/failed-auth-limiter";
import type { FailedAuthTally } from "../domain/failed-auth-tally";
import { idempotentRequest, isDuplicateAnswer, savedAnswer } from "../domain/idempotency";
import type { RequestContext } from "../domain/request-context";
import type { Services } from "../domain/services";
import { authenticate } from "../domain/tokens/authenticate";
import type { Metrics } from "../metrics";

type Input<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a route handler gets: validated input (typed from the contract) and who is calling. */
export interface Call<R extends Route> {
  params: Input<R["params"]>;
  query: Input<R["query"]>;
  body: Input<R["body"]>;
  context: RequestContext & { caller: Caller };
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteKit {
  app: FastifyInstance;
  services: Services;
  metrics: Metrics;
  failedAuth: FailedAuthLimiter;
  failedAuthTally: FailedAuthTally;
  /** Tests set this: every answer is checked against the contract's response schema. */
  checkResponses: boolean;
}

declare module "fastify" {
  interface FastifyRequest {
    keywardCaller?: Caller | null;
  }
}

function validate<S extends z.ZodType | undefined>(schema: S, value: unknown, location: string): Input<S> {
  if (!schema) return undefined as Input<S>;
  // SPEC §11: text the database cannot hold is refused here, once, for every field of every route.
  const result = checkInput(schema, value, location);
  if (result.success) return result.data as Input<S>;
  throw new ApiError("BAD_REQUEST", summarizeIssues(result.issues), result.issues);
}

/** A POST with no body and no content type means `{}` (e.g. `curl -X POST …/revoke`). */
function bodyOf(request: FastifyRequest): unknown {
  if (request.body === undefined && !request.headers["content-type"]) return {};
  return request.body;
}

/**
 * The client's address: the socket's, or, when the peer is a proxy named in `--trust-proxy`, the
 * right-most untrusted `X-Forwarded-For` entry (fastify's `trustProxy` computes it; SPEC §10).
 */
export function sourceIpOf(request: FastifyRequest): string {
  return request.ip;
}

/**
 * The calling token. A valid token is never refused by the failed-authentication limit (SPEC §10):
 * the limit only stops an address that keeps failing from failing faster.
 */
async function callerOf(kit: RouteKit, request: FastifyRequest): Promise<Caller> {
  const outcome = await authenticate(kit.services, request.headers.authorization);
  if (typeof outcome !== "string") {
    request.keywardCaller = outcome;
    return outcome;
  }
  request.keywardCaller = null;
  const retryAfter = kit.failedAuth.retryAfter(sourceIpOf(request), kit.services.clock().getTime());
  if (retryAfter > 0) {
    throw Object.assign(new ApiError("RATE_LIMITED", "too many failed authentications from this address; try again later"), { retryAfter, reason: "rate_limited" });
  }
  throw Object.assign(
    unauthorized(outcome === "missing" ? "send a management token: Authorization: Bearer kwm_…" : "the management token is not valid"),
    { reason: outcome },
  );
}

/**
 * Registers one route of the contract's table: authenticate, authorise, validate every input
 * with the contract's schemas, honour Idempotency-Key, run the handler.
 */
export function defineRoute<R extends Route>(kit: RouteKit, route: R, handler: (call: Call<R>) => Promise<unknown>): void {
  kit.app.route({
    method: route.method,
    url: route.path.replaceAll(/\{(\w+)\}/g, ":$1"),
    handler: async (request, reply) => {
      const caller = await callerOf(kit, request);
      requirePermission(caller, route.permission);
      requireTargetBinding(caller, route.target);
      const call = {
        params: validate(route.params, request.params, "path"),
        query: validate(route.query, request.query, "query"),
        body: validate(route.body, bodyOf(request), "body"),
        context: { caller, requestId: request.id, sourceIp: sourceIpOf(request) },
        request,
        reply,
      } as Call<R>;
      reply.status(route.status);
      const header = request.headers["idempotency-key"];
      if (route.idempotent && typeof header === "string") {
        const idempotency = idempotentRequest(kit.services, caller, header, route.operationId, { params: call.params, body: call.body }, route.status);
        const replay = await savedAnswer(kit.services, idempotency);
        if (replay) return reply.status(replay.status).header("idempotent-replayed", "true").send(replay.body);
        call.context.idempotency = idempotency;
        try {
          return respond(kit, route, reply, await handler(call));
        } catch (error) {
          if (!isDuplicateAnswer(error)) throw error;
          const raced = await savedAnswer(kit.services, idempotency);
          if (!raced) throw error;
          return reply.status(raced.status).header("idempotent-replayed", "true").send(raced.body);
        }
      }
      return respond(kit, route, reply, await handler(call));
    },
  });
}

/** A public route: no token, no input beyond what it reads itself. */
export function definePublicRoute(kit: RouteKit, route: Route, handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void {
  kit.app.route({ method: route.method, url: route.path, handler });
}

function respond(kit: RouteKit, route: Route, reply: FastifyReply, body: unknown): FastifyReply {
  if (route.status === 204) return reply.status(204).send();
  if (kit.checkResponses && route.response) route.response.parse(body);
  return reply.send(body);
}
