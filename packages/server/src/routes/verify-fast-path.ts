import type { IncomingMessage, ServerResponse } from "node:http";
import { checkInput, type ErrorBody, httpStatusOf, isPlainVerifyRequest, routes, type VerificationCode, VerifyRequest } from "@keyward/contract";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { holds } from "../domain/authorization";
import { authenticate, authenticateFromMemory } from "../domain/tokens/authenticate";
import type { TokenRecord } from "../storage/token-store";
import { type AnswerText, answerTextOf, verifyKey, verifyKeyFromMemory } from "../domain/verify-key";
import type { Metrics } from "../metrics";
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
  const record = recorderOf(kit.metrics, logger);
  return function handle(request: IncomingMessage, response: ServerResponse, regular: (request: IncomingMessage, response: ServerResponse) => void): void {
    const { headers } = request;
    if (request.method !== "POST" || request.url !== PATH || !isJson(headers["content-type"]) || !withinLimit(headers["content-length"], bodyLimit)) {
      regular(request, response);
      return;
    }
    const started = performance.now();
    // The request's instant, read once: the token's expiry and the key's rules are judged at the same one.
    const now = kit.services.clock();
    // The common case needs no promise: a token and a key both in memory. Anything else takes the awaited path.
    const fail = (error: unknown) => answerFailure(logger, request, response, error, bodyLimit);
    const caller = authenticateFromMemory(kit.services, headers.authorization, now);
    if (caller === undefined) {
      authenticateThenServe(kit, request, response, regular, started, record).catch(fail);
      return;
    }
    if (!holds(caller, "keys:verify")) {
      regular(request, response);
      return;
    }
    readBody(
      request,
      (body) => {
        try {
          const input = inputOf(body);
          const answer = input && verifyKeyFromMemory(kit.services, caller, input, now);
          if (answer) send(request, response, answer, started, record);
          else serve(kit, request, response, body, caller, started, record).catch(fail);
        } catch (error) {
          fail(error);
        }
      },
      fail,
    );
  };
}

/** Counters and latencies (plain numbers, added to their series when read) and the access line. */
function recorderOf(metrics: Metrics, logger: Logger) {
  const tally = metrics.tallyOf("POST", PATH);
  const latency = metrics.latencyTallyOf("POST", PATH);
  const info = logger.isLevelEnabled("info");
  return (code: VerificationCode, requestId: string, elapsed: number) => {
    tally.count(code);
    latency.observe(elapsed / 1000);
    // The same access line as the onResponse hook in app.ts writes for every other route.
    if (info) logger.info({ reqId: requestId, method: "POST", route: PATH, status: 200, ms: Math.round(elapsed * 100) / 100 }, "request");
  };
}

type Recorder = ReturnType<typeof recorderOf>;

function isJson(type: string | undefined): boolean {
  return type === "application/json" || (typeof type === "string" && /^application\/json\s*(;|$)/i.test(type));
}

function withinLimit(text: string | undefined, limit: number): boolean {
  const length = Number(text);
  return Number.isInteger(length) && length > 0 && length <= limit;
}

/** A token not in memory: authenticated with the database if need be, before the body is read. */
async function authenticateThenServe(
  kit: RouteKit,
  request: IncomingMessage,
  response: ServerResponse,
  regular: (request: IncomingMessage, response: ServerResponse) => void,
  started: number,
  record: Recorder,
): Promise<void> {
  // A valid token is never stopped by the failed-authentication limit (SPEC §10), so only a
  // request without one needs the regular route's limit and audit. Any failure to authenticate
  // (the database may be down) is the regular route's to answer.
  const caller = await authenticate(kit.services, request.headers.authorization).catch(() => undefined);
  if (caller === undefined || typeof caller === "string" || !holds(caller, "keys:verify")) return regular(request, response);
  const body = await new Promise<Buffer>((resolve, reject) => readBody(request, resolve, reject));
  await serve(kit, request, response, body, caller, started, record);
}

/** The awaited path: a key not in memory or a rate limit to claim; the regular route answers anything odd. */
async function serve(kit: RouteKit, request: IncomingMessage, response: ServerResponse, body: Buffer, caller: TokenRecord, started: number, record: Recorder): Promise<void> {
  const input = inputOf(body);
  const answer = input ? await verifyKey(kit.services, caller, input).catch(() => undefined) : undefined;
  if (!answer) return replay(kit.app, request, response, body);
  send(request, response, answerTextOf(answer), started, record);
}

const JSON_TYPE = "application/json; charset=utf-8";

function send(request: IncomingMessage, response: ServerResponse, answer: AnswerText, started: number, record: Recorder): void {
  const requestId = requestIdOf(request.headers);
  // Names and values in one flat array: Node reads it as it is, without an object's keys to walk.
  // The length is the answer's own, a string made with its text (a number is made into one twice).
  response.writeHead(200, ["content-type", JSON_TYPE, "content-length", answer.contentLength, "x-request-id", requestId]);
  response.end(answer.text);
  record(answer.code, requestId, performance.now() - started);
}

/**
 * The verify request in a body, or undefined when only the regular route may answer it (invalid,
 * unstorable, odd). The common body is recognised by the contract's own test, the one the SDK's
 * in-process verifier uses; anything else is judged by `checkInput`, as the regular route judges it.
 */
function inputOf(body: Buffer): VerifyRequest | undefined {
  const parsed = parseJson(body);
  if (parsed === undefined) return undefined;
  const { key, ...check } = parsed as Record<string, unknown>;
  if (isPlainVerifyRequest(key, check)) return parsed as VerifyRequest;
  const checked = checkInput(VerifyRequest, parsed, "body");
  return checked.success ? checked.data : undefined;
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

function readBody(request: IncomingMessage, done: (body: Buffer) => void, failed: (error: unknown) => void): void {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  // A request ends once: plain listeners, without `once`'s wrapper per request.
  request.on("end", () => done(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
  request.on("error", failed);
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
