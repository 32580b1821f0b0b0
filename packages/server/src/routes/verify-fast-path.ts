import type { IncomingMessage, ServerResponse } from "node:http";
import { type ErrorBody, findUnstorableText, httpStatusOf, routes, SCOPE_NAME_PATTERN, VerifyRequest } from "@keyward/contract";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { holds } from "../domain/authorization";
import { authenticate } from "../domain/tokens/authenticate";
import { verifyKey } from "../domain/verify-key";
import { errorAnswerOf } from "./error-answer";
import { requestIdOf } from "./request-id";
import type { RouteKit } from "./route-kit";

const PATH = routes.verifyKey.path;

/**
 * `POST /v1/verify` is the one call on every request of every API that uses Keyward, so its
 * successful case skips the framework's per-request machinery (SPEC §8 measures it against bare
 * node:http). It answers only a well-formed request from an authorised token; anything else (no
 * or bad token, wrong content type, oversized or malformed body) goes
 * to the regular route, unchanged, so errors, audit events and limits have exactly one
 * implementation. A test sends the same requests both ways and compares the answers.
 */
export function createVerifyFastPath(kit: RouteKit, logger: Logger, bodyLimit: number) {
  return function handle(request: IncomingMessage, response: ServerResponse, regular: (request: IncomingMessage, response: ServerResponse) => void): void {
    if (request.method !== "POST" || request.url !== PATH || !isJson(request) || !withinLimit(request, bodyLimit)) {
      regular(request, response);
      return;
    }
    serve(kit, logger, request, response, regular).catch((error: unknown) => answerFailure(logger, request, response, error, bodyLimit));
  };
}

function isJson(request: IncomingMessage): boolean {
  const type = request.headers["content-type"];
  return typeof type === "string" && /^application\/json\s*(;|$)/i.test(type);
}

function withinLimit(request: IncomingMessage, limit: number): boolean {
  const length = Number(request.headers["content-length"]);
  return Number.isInteger(length) && length > 0 && length <= limit;
}

async function serve(
  kit: RouteKit,
  logger: Logger,
  request: IncomingMessage,
  response: ServerResponse,
  regular: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<void> {
  const started = performance.now();
  const { services } = kit;
  // A valid token is never stopped by the failed-authentication limit (SPEC §10), so only a
  // request without one needs the regular route's limit and audit. Any failure to authenticate
  // (the database may be down) is the regular route's to answer.
  const caller = await authenticate(services, request.headers.authorization).catch(() => undefined);
  if (caller === undefined || typeof caller === "string" || !holds(caller, "keys:verify")) return regular(request, response);

  const body = await readBody(request);
  const parsed = parseJson(body);
  const input = parsed === undefined || findUnstorableText(parsed, "body").length > 0 ? undefined : (plainVerifyRequest(parsed) ?? parseVerifyRequest(parsed));
  const answer = input ? await verifyKey(services, caller, input).catch(() => undefined) : undefined;
  if (!answer) return replay(kit.app, request, response, body);

  const payload = JSON.stringify(answer);
  const requestId = requestIdOf(request.headers);
  response.writeHead(200, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    "x-request-id": requestId,
  });
  response.end(payload);
  kit.metrics.verifications.inc({ code: answer.code });
  kit.metrics.requests.inc({ method: "POST", route: PATH, status: "200" });
  const elapsed = performance.now() - started;
  kit.metrics.latency.observe({ method: "POST", route: PATH }, elapsed / 1000);
  // The same access line as the onResponse hook in app.ts writes for every other route.
  logger.info({ reqId: requestId, method: "POST", route: PATH, status: 200, ms: Math.round(elapsed * 100) / 100 }, "request");
}

/** The last resort: an answer in the error envelope, never a destroyed socket (SPEC §11). */
function answerFailure(logger: Logger, request: IncomingMessage, response: ServerResponse, error: unknown, bodyLimit: number): void {
  const answer = errorAnswerOf(error, bodyLimit);
  if (answer.internal) logger.error({ err: error }, "verify fast path failed");
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body: ErrorBody = { error: { code: answer.code, message: answer.message, request_id: requestIdOf(request.headers) } };
  const payload = JSON.stringify(body);
  response.writeHead(httpStatusOf[answer.code], {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    "x-request-id": body.error.request_id,
    ...(answer.retryAfter === undefined ? {} : { "retry-after": String(answer.retryAfter) }),
  });
  response.end(payload);
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.once("end", () => resolve(Buffer.concat(chunks)));
    request.once("error", reject);
  });
}

function parseJson(body: Buffer): object | undefined {
  try {
    const value: unknown = JSON.parse(body.toString("utf8"));
    // The regular route's parser refuses prototype poisoning; leave such bodies to it.
    return value !== null && typeof value === "object" && !Object.hasOwn(value, "__proto__") && !Object.hasOwn(value, "constructor") ? value : undefined;
  } catch {
    return undefined;
  }
}

const VERIFY_FIELDS = new Set(["key", "scopes", "ip"]);
const MAX_KEY_LENGTH = 256;
const MAX_SCOPES = 256;

/**
 * The common body, `{key, scopes?}`, tested directly: exactly what `VerifyRequest` accepts for
 * such a body, without the schema walk. Anything else (an `ip`, or a body that may be invalid)
 * answers undefined and goes through the schema, so the answer is always the schema's.
 */
function plainVerifyRequest(value: object): VerifyRequest | undefined {
  const body = value as Record<string, unknown>;
  for (const field in body) {
    if (!VERIFY_FIELDS.has(field) || field === "ip") return undefined;
  }
  const { key, scopes } = body;
  if (typeof key !== "string" || key.length > MAX_KEY_LENGTH) return undefined;
  if (!("scopes" in body)) return { key };
  if (!Array.isArray(scopes) || scopes.length > MAX_SCOPES) return undefined;
  for (const scope of scopes) {
    if (typeof scope !== "string" || !SCOPE_NAME_PATTERN.test(scope)) return undefined;
  }
  return { key, scopes: scopes as string[] };
}

function parseVerifyRequest(value: object): VerifyRequest | undefined {
  const input = VerifyRequest.safeParse(value);
  return input.success ? input.data : undefined;
}

/** Hands a request whose body was already read to the regular route, and relays its answer. */
async function replay(app: FastifyInstance, request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> {
  const answer = await app.inject({
    method: "POST",
    url: PATH,
    headers: request.headers,
    payload: body,
    remoteAddress: request.socket.remoteAddress ?? "",
  });
  const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !["connection", "transfer-encoding", "date", "keep-alive"].includes(name)));
  response.writeHead(answer.statusCode, headers as Record<string, string>);
  response.end(answer.rawPayload);
}
