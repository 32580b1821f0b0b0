import { z } from "zod";
import { ErrorBody, errorCodes, httpStatusOf } from "./errors";
import { type Route, routes } from "./routes";

type JsonSchema = Record<string, unknown>;

function schemaOf(type: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(type, { io, unrepresentable: "any" }) as JsonSchema;
  return schema;
}

/** Path and query parameters of a route, one OpenAPI parameter per property. */
function parametersOf(route: Route): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  for (const [location, type] of [["path", route.params], ["query", route.query]] as const) {
    if (!type) continue;
    const schema = schemaOf(type, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      parameters.push({ name, in: location, required: location === "path" || (schema.required ?? []).includes(name), schema: property });
    }
  }
  return parameters;
}

function operationOf(route: Route): JsonSchema {
  const success = route.response
    ? { description: "Success", content: { "application/json": { schema: schemaOf(route.response, "output") } } }
    : { description: route.status === 204 ? "No content" : "Success" };
  const errors = Object.fromEntries(
    [...new Set(errorCodes.map((code) => httpStatusOf[code]))].map((status) => [
      String(status),
      { description: "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
    ]),
  );
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.permission === "public" ? { security: [] } : { "x-keyward-permission": route.permission }),
    parameters: [
      ...parametersOf(route),
      ...(route.idempotent ? [{ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 255 } }] : []),
    ],
    ...(route.body ? { requestBody: { required: true, content: { "application/json": { schema: schemaOf(route.body, "input") } } } } : {}),
    responses: { [String(route.status)]: success, ...errors },
  };
}

/** The OpenAPI 3.1 document served at `/openapi.json`, generated from the route table. */
export function openApiDocument(version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of Object.values(routes) as Route[]) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, JsonSchema>)[route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: "3.1.0",
    info: { title: "Keyward", version, description: "API keys: shown once, stored as hashes, scoped, rotated, revoked, audited." },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A management token (kwm_…)" } },
      schemas: { Error: schemaOf(ErrorBody, "output") },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
