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
});
