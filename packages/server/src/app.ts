import { createServer } from "node:http";
import { type ErrorBody, type ErrorCode, httpStatusOf } from "@keyward/contract";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { ApiError } from "./domain/api-error";
import { DEFAULT_FAILED_AUTH_POLICY, FailedAuthLimiter, type FailedAuthPolicy } from "./domain/failed-auth-limiter";
import { appendAudit } from "./domain/mutation";
import type { Services } from "./domain/services";
import type { SigningKeyDirectory } from "./domain/secret-scanning/github-signature";
import type { Metrics } from "./metrics";
import { registerAuditRoutes } from "./routes/audit-routes";
import { registerKeyRoutes } from "./routes/key-routes";
import { registerProjectPolicyRoutes } from "./routes/project-policy-routes";
import { registerProjectRoutes } from "./routes/project-routes";
import { requestIdOf } from "./routes/request-id";
import { type RouteKit, sourceIpOf } from "./routes/route-kit";
import { registerScopeRoutes } from "./routes/scope-routes";
import { registerSecretScanningRoutes } from "./routes/secret-scanning-routes";
import { registerSystemRoutes } from "./routes/system-routes";
import { registerTokenRoutes } from "./routes/token-routes";
import { createVerifyFastPath } from "./routes/verify-fast-path";
import { registerVerifyRoutes } from "./routes/verify-routes";
import { registerWebhookRoutes } from "./routes/webhook-routes";

export interface AppOptions {
  services: Services;
  metrics: Metrics;
  logger: Logger;
  version: string;
  failedAuthPolicy?: FailedAuthPolicy;
  /** GitHub's secret scanning signing keys (SPEC §15). */
  githubKeys: SigningKeyDirectory;
  /** Check every answer against the contract's response schema (tests). */
  checkResponses?: boolean;
}

/** SPEC §3 limits. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** The HTTP application. Tests drive it with `app.inject`; `server.ts` only makes it listen. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  let fastPath: ReturnType<typeof createVerifyFastPath> | undefined;
  const app = Fastify({
    loggerInstance: options.logger as unknown as FastifyBaseLogger,
    // One debug line per request from the onResponse hook below instead (it never logs a URL).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (request) => requestIdOf(request.headers),
    serverFactory: (regular, settings) => {
      const server = createServer((request, response) => (fastPath ? fastPath(request, response, regular) : regular(request, response)));
      // What fastify sets on the servers it creates itself.
      server.keepAliveTimeout = Number(settings.keepAliveTimeout ?? 72_000);
      server.requestTimeout = Number(settings.requestTimeout ?? 0);
      server.setTimeout(Number(settings.connectionTimeout ?? 0));
      return server;
    },
    routerOptions: { ignoreTrailingSlash: true },
  });
  // JSON only (SPEC §3): any other content type is refused with 415 before a handler runs.
  app.removeContentTypeParser("text/plain");

  const kit: RouteKit = {
    app,
    services: options.services,
    metrics: options.metrics,
    failedAuth: new FailedAuthLimiter(options.failedAuthPolicy ?? DEFAULT_FAILED_AUTH_POLICY),
    checkResponses: options.checkResponses ?? false,
  };

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    options.metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    options.metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    if (options.logger.isLevelEnabled("debug")) {
      // The route pattern, never the raw URL: a misplaced secret in a path or query must not reach a log.
      request.log.debug({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 }, "request");
    }
  });

  app.setNotFoundHandler((request, reply) => sendError(reply, request, "NOT_FOUND", `no route ${request.method} for this path`));
  app.setErrorHandler(async (error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      await auditAuthFailure(kit, request, error);
      if (error.code === "RATE_LIMITED" && "retryAfter" in error) reply.header("retry-after", String(error.retryAfter));
      return sendError(reply, request, error.code, error.message, error.details);
    }
    const status = typeof error.statusCode === "number" ? error.statusCode : 500;
    if (status === 413) return sendError(reply, request, "PAYLOAD_TOO_LARGE", `body: must be at most ${BODY_LIMIT_BYTES} bytes`);
    if (status === 415) return sendError(reply, request, "UNSUPPORTED_MEDIA_TYPE", "body: send JSON with Content-Type: application/json");
    // Parser messages can quote the body; say what was wrong without echoing any of it.
    if (status >= 400 && status < 500) return sendError(reply, request, "BAD_REQUEST", "body: must be a well-formed JSON object");
    request.log.error({ err: error }, "request failed");
    return sendError(reply, request, "INTERNAL", "the server failed to handle this request; it has been logged with this request id");
  });

  fastPath = createVerifyFastPath(kit, options.logger, BODY_LIMIT_BYTES);
  registerSystemRoutes(kit, options.version);
  registerProjectRoutes(kit);
  registerScopeRoutes(kit);
  registerKeyRoutes(kit);
  registerVerifyRoutes(kit);
  registerTokenRoutes(kit);
  registerAuditRoutes(kit);
  registerProjectPolicyRoutes(kit);
  registerWebhookRoutes(kit);
  registerSecretScanningRoutes(kit, options.githubKeys);
  await app.ready();
  return app;
}

function sendError(reply: FastifyReply, request: FastifyRequest, code: ErrorCode, message: string, details?: unknown): FastifyReply {
  const body: ErrorBody = { error: { code, message, request_id: request.id, ...(details ? { details } : {}) } };
  return reply.status(httpStatusOf[code]).type("application/json").send(body);
}

/** SPEC §2/§9: every failed authentication and every refused authorisation is an audit event. */
async function auditAuthFailure(kit: RouteKit, request: FastifyRequest, error: ApiError): Promise<void> {
  if (error.code !== "UNAUTHORIZED" && error.code !== "FORBIDDEN") return;
  const { services } = kit;
  const sourceIp = sourceIpOf(request);
  const now = services.clock();
  if (error.code === "UNAUTHORIZED") kit.failedAuth.fail(sourceIp, now.getTime());
  const caller = request.keywardCaller ?? null;
  const context = { caller, requestId: request.id, sourceIp };
  const entry = {
    action: error.code === "UNAUTHORIZED" ? "auth.failed" : "auth.forbidden",
    target: `${request.method} ${request.routeOptions.url ?? "unmatched"}`,
    project: caller?.project ?? null,
    environment: caller?.environment ?? null,
    details: { reason: "reason" in error ? String(error.reason) : error.message },
  };
  try {
    await services.storage.transaction((stores) => appendAudit(stores, services, context, entry, now));
  } catch (failure) {
    request.log.error({ err: failure }, "could not record a failed authentication in the audit log");
  }
}
