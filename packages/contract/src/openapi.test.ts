import { describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi";
import { routes } from "./routes";

describe("openApiDocument", () => {
  const document = openApiDocument("1.2.3") as { openapi: string; paths: Record<string, Record<string, any>> };

  it("describes every route of the table", () => {
    expect(document.openapi).toBe("3.1.0");
    for (const route of Object.values(routes)) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.operationId, `${route.method} ${route.path}`).toBe(route.operationId);
      expect(Object.keys(operation.responses)).toContain(String(route.status));
    }
  });

  it("carries the request rules of the contract", () => {
    const create = document.paths["/v1/keys"]!.post;
    const body = create.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(expect.arrayContaining(["project", "environment", "name", "scopes"]));
    expect(body.additionalProperties).toBe(false);
    expect(create.parameters.map((parameter: { name: string }) => parameter.name)).toContain("Idempotency-Key");
    const list = document.paths["/v1/keys"]!.get;
    expect(list.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(
      expect.arrayContaining(["project", "environment", "status", "rotation_due", "limit", "cursor"]),
    );
  });

  const responsesOf = (route: (typeof routes)[keyof typeof routes]) => document.paths[route.path]![route.method.toLowerCase()].responses as Record<string, any>;

  it("documents 503 UNAVAILABLE with Retry-After and the error envelope on every operation behind a token, and on the two public ones that read the database", () => {
    const undocumented: string[] = [];
    for (const route of Object.values(routes)) {
      if (route.permission === "public" && !["health", "exchangeToken"].includes(route.operationId)) continue;
      const unavailable = responsesOf(route)["503"];
      if (unavailable?.headers?.["Retry-After"]?.$ref !== "#/components/headers/RetryAfter") undocumented.push(`${route.operationId}: 503 with Retry-After`);
      if (route.operationId === "health") continue; // the health body, `status: degraded`, is its 503
      if (unavailable?.content?.["application/json"]?.schema?.$ref !== "#/components/schemas/Error") undocumented.push(`${route.operationId}: 503 error envelope`);
      if (unavailable?.content?.["application/json"]?.example?.error?.code !== "UNAVAILABLE") undocumented.push(`${route.operationId}: 503 example`);
    }
    expect(undocumented).toEqual([]);
    expect(responsesOf(routes.metrics)).not.toHaveProperty("503");
    expect(responsesOf(routes.openapi)).not.toHaveProperty("503");
  });

  it("documents 429 with Retry-After wherever a credential can be refused, and 401 wherever a token is needed", () => {
    for (const route of Object.values(routes)) {
      const responses = responsesOf(route);
      // Public routes with a credential of their own: the token exchange (counted toward the
      // failed-authentication limit, so 429 too) and GitHub's signed secret-scanning alerts (401 only).
      const authenticated = route.permission !== "public";
      const limited = authenticated || route.operationId === "exchangeToken";
      expect(Boolean(responses["429"]), `${route.operationId}: 429`).toBe(limited);
      if (limited) expect(responses["429"].headers["Retry-After"], route.operationId).toBeDefined();
      expect(Boolean(responses["401"]), `${route.operationId}: 401`).toBe(limited || route.operationId === "reportGithubSecrets");
    }
  });

  it("documents 403 only where a scope can be lacking or a binding broken, and 404 wherever the path names an object", () => {
    expect(responsesOf(routes.putScope)).toHaveProperty("403");
    expect(responsesOf(routes.createProject)).toHaveProperty("403");
    for (const route of [routes.listProjects, routes.getProject, routes.listScopes, routes.health, routes.exchangeToken]) {
      expect(responsesOf(route), route.operationId).not.toHaveProperty("403");
    }
    for (const route of Object.values(routes)) {
      if ("params" in route) expect(responsesOf(route), route.operationId).toHaveProperty("404");
    }
  });
});
