import { createServer } from "node:http";
import type { Socket } from "node:net";
import { type ErrorBody, type ErrorCode, httpStatusOf } from "@keyward/contract";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { ApiError } from "./domain/api-error";
import { DEFAULT_FAILED_AUTH_POLICY, FailedAuthLimiter, type FailedAuthPolicy } from "./domain/failed-auth-limiter";
import { FailedAuthTally } from "./domain/failed-auth-tally";
import type { Services } from "./domain/services";
import type { SigningKeyDirectory } from "./domain/secret-scanning/github-signature";
import type { Metrics } from "./metrics";
import { ConnectionCloser } from "./network/connection-closer";
import { registerAuditRoutes } from "./routes/audit-routes";
import { auditAuthFailure, flushFailedAuthCounts } from "./routes/auth-failure-audit";
import { errorAnswerOf } from "./routes/error-answer";
import { registerKeyRoutes } from "./routes/key-routes";
import { registerProjectPolicyRoutes } from "./routes/project-policy-routes";
import { registerProjectRoutes } from "./routes/project-routes";
import { requestIdOf } from "./routes/request-id";
import type { RouteKit } from "./routes/route-kit";
import { registerScopeRoutes } from "./routes/scope-routes";
import { registerSecretScanningRoutes } from "./routes/secret-scanning-routes";
import { registerSystemRoutes } from "./routes/system-routes";
import { registerTokenExchangeRoute } from "./routes/token-exchange-route";
import { registerTokenRoutes } from "./routes/token-routes";
import { registerTrustPolicyRoutes } from "./routes/trust-policy-routes";
import { registerVerifierRoutes } from "./routes/verifier-routes";
import { createVerifyFastPath } from "./routes/verify-fast-path";
import { registerVerifyRoutes } from "./routes/verify-routes";
import { registerWebhookRoutes } from "./routes/webhook-routes";

export interface AppOptions {
  services: Services;
  metrics: Metrics;
  logger: Logger;
  version: string;
  failedAuthPolicy?: FailedAuthPolicy;
  /** Proxies (IPs or CIDRs) whose `X-Forwarded-For` names the client (`--trust-proxy`); none by default. */
  trustProxy?: readonly string[];
  /** GitHub's secret scanning signing keys (SPEC §15). */
  githubKeys: SigningKeyDirectory;
  /** Check every answer against the contract's response schema (tests). */
  checkResponses?: boolean;
  /** Slow-client limits; SPEC §11 values by default (tests inject small ones). */
  httpTimeouts?: HttpTimeouts;
}

/** SPEC §3 limits. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface HttpTimeouts {
  /** All request headers must have arrived by then. */
  headersMs: number;
  /** The whole request, body included. */
  requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
}

/** SPEC §11: headers within 10 s, the whole request within 30 s, idle keep-alive closed after 65 s. */
export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 65_000 };

/** The HTTP application. Tests drive it with `app.inject`; `server.ts` only makes it listen. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  let fastPath: ReturnType<typeof createVerifyFastPath> | undefined;
  let connections: ConnectionCloser | undefined;
  const timeouts = options.httpTimeouts ?? HTTP_TIMEOUTS;
  const app = Fastify({
    loggerInstance: options.logger as unknown as FastifyBaseLogger,
    // One info line per request from the onResponse hook below instead (it never logs a URL).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (request) => requestIdOf(request.headers),
    serverFactory: (regular) => {
      const server = createServer(
        {
          headersTimeout: timeouts.headersMs,
          requestTimeout: timeouts.requestMs,
          keepAliveTimeout: timeouts.keepAliveMs,
          // Node checks the two limits above only this often (30 s by default).
          connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(timeouts.headersMs / 4))),
        },
        (request, response) => (fastPath ? fastPath(request, response, regular) : regular(request, response)),
      );
      server.keepAliveTimeout = timeouts.keepAliveMs;
      connections = new ConnectionCloser(server);
      return server;
    },
    clientErrorHandler: answerClientError,
    // The router's own errors (a bad percent-encoding, an overlong path segment) quote the URL.
    frameworkErrors: (error, request, reply) =>
      sendError(reply, request, "BAD_REQUEST", error.code === "FST_ERR_MAX_PARAM_LENGTH" ? "path: a path segment is too long" : "path: must be a well-formed URL path"),
    routerOptions: { ignoreTrailingSlash: true },
    trustProxy: options.trustProxy && options.trustProxy.length > 0 ? [...options.trustProxy] : false,
  });
  // JSON only (SPEC §3): any other content type is refused with 415 before a handler runs.
  app.removeContentTypeParser("text/plain");

  const kit: RouteKit = {
    app,
    services: options.services,
    metrics: options.metrics,
    failedAuth: new FailedAuthLimiter(options.failedAuthPolicy ?? DEFAULT_FAILED_AUTH_POLICY),
    failedAuthTally: new FailedAuthTally(),
    checkResponses: options.checkResponses ?? false,
  };

  flushFailedAuthCounts(kit);
  // In-flight requests are answered; a connection waiting for its next request is not waited for.
  app.addHook("preClose", async () => connections?.closeAll());
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    options.metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    options.metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    // The access log, at info. The route pattern, never the raw URL, query or body: a misplaced
    // secret in a path or query must not reach a log. The request id is bound to request.log.
    request.log.info({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 }, "request");
  });

  app.setNotFoundHandler((request, reply) => sendError(reply, request, "NOT_FOUND", "no route answers this method and path"));
  app.setErrorHandler(async (error: FastifyError | ApiError, request, reply) => {
    const answer = errorAnswerOf(error, BODY_LIMIT_BYTES);
    if (error instanceof ApiError) await auditAuthFailure(kit, request, error);
    if (answer.retryAfter !== undefined) reply.header("retry-after", String(answer.retryAfter));
    if (answer.internal) request.log.error({ err: error }, "request failed");
    else if (answer.code === "UNAVAILABLE") request.log.warn({ route: request.routeOptions.url ?? "unmatched" }, "database unavailable; answered 503");
    return sendError(reply, request, answer.code, answer.message, answer.details);
  });

  fastPath = createVerifyFastPath(kit, options.logger, BODY_LIMIT_BYTES);
  registerSystemRoutes(kit, options.version);
  registerProjectRoutes(kit);
  registerScopeRoutes(kit);
  registerKeyRoutes(kit);
  registerVerifyRoutes(kit);
  registerVerifierRoutes(kit);
  registerTokenRoutes(kit);
  registerTokenExchangeRoute(kit);
  registerTrustPolicyRoutes(kit);
  registerAuditRoutes(kit);
  registerProjectPolicyRoutes(kit);
  registerWebhookRoutes(kit);
  registerSecretScanningRoutes(kit, options.githubKeys);
  await app.ready();
  return app;
}

/**
 * Errors Node's HTTP parser raises before there is a request (malformed HTTP, headers too large,
 * a request that did not arrive in time): answered in the error envelope, echoing nothing.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const message =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? "request: headers and body did not arrive in time"
      : error.code === "HPE_HEADER_OVERFLOW"
        ? "headers: are too large"
        : "request: must be well-formed HTTP/1.1";
  const body: ErrorBody = { error: { code: "BAD_REQUEST", message, request_id: requestIdOf({}) } };
  const payload = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(payload)}\r\nx-request-id: ${body.error.request_id}\r\nconnection: close\r\n\r\n${payload}`,
    );
  }
  socket.destroy();
}

function sendError(reply: FastifyReply, request: FastifyRequest, code: ErrorCode, message: string, details?: unknown): FastifyReply {
  const body: ErrorBody = { error: { code, message, request_id: request.id, ...(details ? { details } : {}) } };
  return reply.status(httpStatusOf[code]).type("application/json").send(body);
}
