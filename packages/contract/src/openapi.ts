import { z } from "zod";
import { type ErrorCode, ErrorBody, httpStatusOf } from "./errors";
import { type OperationDoc, operationDocs } from "./operation-docs";
import { type Route, routes, type Target } from "./routes";

type JsonSchema = Record<string, unknown>;

function schemaOf(type: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(type, { io, unrepresentable: "any" }) as JsonSchema;
  return schema;
}

/** Tags by path prefix, most specific first; a route under none is a `System` route. */
const tags = [
  { prefix: "/v1/projects/{project}/scopes", name: "Scopes", description: "A project's catalog of scopes, the permissions a key may hold." },
  { prefix: "/v1/projects", name: "Projects", description: "Projects: the namespaces of scopes, keys and project-bound tokens." },
  { prefix: "/v1/keys", name: "Keys", description: "API keys: created, listed, updated, rotated, rolled back, revoked, deleted; usage counts." },
  { prefix: "/v1/verif", name: "Verification", description: "Checking an API key secret, the call your services make on every request." },
  { prefix: "/v1/tokens", name: "Tokens", description: "Management tokens, the credentials of this API." },
  { prefix: "/v1/audit", name: "Audit", description: "The hash-chained audit log of every mutation and failed authentication." },
] as const;
const SYSTEM_TAG = { name: "System", description: "Health, metrics and this document; no token needed." };

function tagOf(route: Route): string {
  return tags.find((tag) => route.path.startsWith(tag.prefix))?.name ?? SYSTEM_TAG.name;
}

/** Path and query parameters of a route, one OpenAPI parameter per property, described by the contract. */
function parametersOf(route: Route): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  for (const [location, type] of [["path", route.params], ["query", route.query]] as const) {
    if (!type) continue;
    const schema = schemaOf(type, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const { description, examples, ...rest } = property as { description?: string; examples?: unknown[] };
      parameters.push({
        name,
        in: location,
        description,
        required: location === "path" || (schema.required ?? []).includes(name),
        schema: rest,
        ...(examples?.length ? { example: examples[0] } : {}),
      });
    }
  }
  if (route.idempotent) {
    parameters.push({
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description: "Any unique string (a UUID): a retry with the same key within 24 hours gets the first answer back instead of acting twice.",
      schema: { type: "string", maxLength: 255 },
      example: "5f0c7e9e-7d0c-4a3e-9b1e-2f6a8d1c4b7a",
    });
  }
  return parameters;
}

/** When each error answers, for every route whose shape allows it. */
const errorWhen: Readonly<Record<ErrorCode, string>> = {
  BAD_REQUEST: "A path, query or body value breaks the contract; `error.details` names each field and the expected form.",
  UNAUTHORIZED: "No management token, or one that is unknown, revoked or expired.",
  FORBIDDEN: "The token lacks the route's management scope, or is bound to another project or environment.",
  NOT_FOUND: "The object named in the path does not exist (or the token may not see it).",
  CONFLICT: "The Idempotency-Key was already used for a different request.",
  PAYLOAD_TOO_LARGE: "The body exceeds 64 KiB.",
  UNSUPPORTED_MEDIA_TYPE: "The body is not `application/json`.",
  RATE_LIMITED: "Too many failed authentications from this address; retry after `Retry-After` seconds.",
  INTERNAL: "The server failed; the answer carries only a request id to quote, the log holds the cause.",
  UNAVAILABLE: "The server cannot reach its database (a dropped connection, a restart); retry after `Retry-After` seconds. Nothing was changed.",
};

/** Targets that a token holding the route's scopes may still be refused (403) for its binding (see `Target`). */
const bindingRefusals: ReadonlySet<Target> = new Set(["service", "unbound", "project-erase", "new-key", "new-token"]);

/**
 * The errors a route's shape implies. Every route behind a management token reads the token store,
 * so it answers 503 while the database is unreachable (SPEC §11) and 429 once its address has
 * failed authentication too often (SPEC §10); a public route that counts failures of a credential of
 * its own says so in its docs (the token exchange). 403 needs a scope to lack or a binding to break: a route
 * open to any valid token on a visible target answers 404, never 403.
 */
function errorsOf(route: Route, doc: OperationDoc): Partial<Record<ErrorCode, string>> {
  const authenticated = route.permission !== "public";
  const forbids = route.permission !== "public" && (route.permission.length > 0 || bindingRefusals.has(route.target));
  const implied: Array<[ErrorCode, boolean]> = [
    ["BAD_REQUEST", Boolean(route.params || route.query || route.body)],
    ["UNAUTHORIZED", authenticated],
    ["FORBIDDEN", forbids],
    ["NOT_FOUND", Boolean(route.params)],
    ["CONFLICT", Boolean(route.idempotent)],
    ["PAYLOAD_TOO_LARGE", Boolean(route.body)],
    ["UNSUPPORTED_MEDIA_TYPE", Boolean(route.body)],
    ["RATE_LIMITED", authenticated],
    ["INTERNAL", true],
    ["UNAVAILABLE", authenticated],
  ];
  return { ...Object.fromEntries(implied.filter(([, applies]) => applies).map(([code]) => [code, errorWhen[code]])), ...doc.errors };
}

/** The answers that tell a client when to retry. */
const retried: ReadonlySet<ErrorCode> = new Set(["RATE_LIMITED", "UNAVAILABLE"]);
const retryAfterHeader = { $ref: "#/components/headers/RetryAfter" };

function errorResponse(code: ErrorCode, when: string): JsonSchema {
  return {
    description: `${code}: ${when}`,
    ...(retried.has(code) ? { headers: { "Retry-After": retryAfterHeader } } : {}),
    content: {
      "application/json": {
        schema: { $ref: "#/components/schemas/Error" },
        example: { error: { code, message: when, request_id: "req_3kTq9ZxY_4f" } },
      },
    },
  };
}

function successResponse(route: Route, doc: OperationDoc, status: number, description: string): JsonSchema {
  if (doc.produces) return { description, content: { [doc.produces]: { schema: { type: "string" } } } };
  if (route.operationId === "openapi") {
    return { description, content: { "application/json": { schema: { type: "object", description: "An OpenAPI 3.1 document." } } } };
  }
  if (!route.response) return { description };
  return { description, content: { "application/json": { schema: schemaOf(route.response, "output") } } };
}

/** A body that takes no field (`POST …/revoke`) is `{}`, which is its example. */
function bodySchemaOf(body: z.ZodType): JsonSchema {
  const schema = schemaOf(body, "input");
  const empty = Object.keys((schema.properties as JsonSchema | undefined) ?? {}).length === 0;
  return empty && !schema.examples ? { ...schema, description: "No field: send `{}` or no body.", examples: [{}] } : schema;
}

function operationOf(route: Route): JsonSchema {
  const doc: OperationDoc = operationDocs[route.operationId as keyof typeof operationDocs];
  const responses: Record<string, JsonSchema> = {
    [String(route.status)]: successResponse(route, doc, route.status, route.status === 204 ? "Done; no body." : route.status === 201 ? "Created." : "Success."),
  };
  if (doc.alsoSucceeds) responses[String(doc.alsoSucceeds.status)] = successResponse(route, doc, doc.alsoSucceeds.status, doc.alsoSucceeds.description);
  if (route.operationId === "health") {
    responses["503"] = { ...successResponse(route, doc, 503, "The database is unavailable; same body, `status: degraded`."), headers: { "Retry-After": retryAfterHeader } };
  }
  for (const [code, when] of Object.entries(errorsOf(route, doc)) as Array<[ErrorCode, string]>) {
    responses[String(httpStatusOf[code])] = errorResponse(code, when);
  }
  const parameters = parametersOf(route);
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: route.permission === "public" || route.permission.length === 0
      ? doc.description
      : `${doc.description}\n\nNeeds a management token holding ${route.permission.map((scope) => `\`${scope}\``).join(" and ")} (or \`admin\`).`,
    tags: [tagOf(route)],
    ...(route.permission === "public" ? { security: [] } : { "x-keyward-permission": route.permission }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: true, content: { "application/json": { schema: bodySchemaOf(route.body) } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document served at `/openapi.json`, generated from the route table. */
export function openApiDocument(version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of Object.values(routes) as Route[]) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, JsonSchema>)[route.method.toLowerCase()] = operationOf(route);
  }
  const used = new Set(Object.values(routes).map((route) => tagOf(route as Route)));
  return {
    openapi: "3.1.0",
    info: {
      title: "Keyward",
      version,
      description: "API keys: shown once, stored as hashes, scoped, rotated, revoked, audited. Every list answers `{data, next_cursor}`; pass `next_cursor` back as `cursor` for the next page. Every error answers `{error: {code, message, request_id, details?}}` with one code of a closed set.",
      contact: { name: "Keyward", url: "https://github.com/keyward/keyward" },
      license: { name: "MPL-2.0", identifier: "MPL-2.0" },
    },
    servers: [
      { url: "/", description: "The Keyward server that serves this document." },
      { url: "http://127.0.0.1:8787", description: "`keyward serve` on its default address." },
    ],
    tags: [...tags, SYSTEM_TAG].filter((tag) => used.has(tag.name)).map(({ name, description }) => ({ name, description })),
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A management token: `Authorization: Bearer kwm_…`." } },
      schemas: { Error: schemaOf(ErrorBody, "output") },
      headers: {
        RetryAfter: {
          description: "Seconds to wait before trying again. Sent with every 429, and with a 503 while the database is unreachable.",
          schema: { type: "integer", minimum: 1, examples: [1] },
        },
      },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
