import { execFile } from "node:child_process";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type Route, routes } from "@keyward/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest } from "./keyward-under-test";

/**
 * The served `/openapi.json` as API users meet it: linted by the real Redocly and Spectral CLIs,
 * turned into types by openapi-typescript and type-checked, and its statuses checked against
 * what the server answers.
 */

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../../", import.meta.url));
const bin = (name: string) => join(root, "node_modules", ".bin", name);

type Operation = { operationId: string; description?: string; security?: unknown[]; parameters?: Array<{ name: string; description?: string }>; requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: Schema }> }> };
type Schema = { description?: string; examples?: unknown[]; properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema | boolean; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[] };
type Document = { servers?: unknown[]; tags?: Array<{ name: string }>; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

let k: KeywardUnderTest;
let dir: string;
let documentPath: string;
let document: Document;

async function requireTool(name: string, packageName: string): Promise<string> {
  const path = bin(name);
  await access(path).catch(() => {
    throw new Error(`${name} is missing: run \`npm ci\` at the repository root (root devDependency ${packageName})`);
  });
  return path;
}

/** Runs a CLI that may exit non-zero on findings; its stdout is what the test reads. */
async function runTool(path: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(path, args, { cwd: dir, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1", REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    if (failed.stdout === undefined) throw error;
    return { stdout: failed.stdout, stderr: failed.stderr ?? "" };
  }
}

const operations = () => Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ where: `${method.toUpperCase()} ${path}`, operation })));

beforeAll(async () => {
  k = await openKeywardUnderTest();
  dir = await mkdtemp(join(tmpdir(), "keyward-openapi-"));
  const answer = await k.call("GET", "/openapi.json", { token: null });
  expect(answer.statusCode).toBe(200);
  document = answer.json() as Document;
  documentPath = join(dir, "openapi.json");
  await writeFile(documentPath, answer.body);
});

afterAll(async () => {
  await k?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("/openapi.json", () => {
  it("passes `redocly lint` (recommended rules) with no error; the only warnings are public system routes having no 4xx answer", async () => {
    const redocly = await requireTool("redocly", "@redocly/cli");
    const { stdout } = await runTool(redocly, ["lint", documentPath, "--format=json"]);
    const report = JSON.parse(stdout.slice(stdout.indexOf("{"))) as { totals: { errors: number }; problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }> };
    const problems = report.problems.map((problem) => `${problem.severity} ${problem.ruleId} ${problem.location[0]?.pointer}: ${problem.message}`);
    expect(report.totals.errors, problems.join("\n")).toBe(0);
    const publicResponses = operations().filter(({ operation }) => operation.security?.length === 0).map(({ where }) => where);
    const unexpected = report.problems.filter((problem) => {
      if (problem.ruleId !== "operation-4xx-response") return true;
      const [, , path = "", method = ""] = (problem.location[0]?.pointer ?? "").split("/");
      return !publicResponses.includes(`${method.toUpperCase()} ${path.replaceAll("~1", "/")}`);
    });
    expect(unexpected.map((problem) => `${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer}`)).toEqual([]);
  });

  it("passes `spectral lint` with the spectral:oas ruleset with no finding at all", async () => {
    const spectral = await requireTool("spectral", "@stoplight/spectral-cli");
    const ruleset = join(dir, ".spectral.yaml");
    await writeFile(ruleset, 'extends: ["spectral:oas"]\n');
    const { stdout } = await runTool(spectral, ["lint", documentPath, "--ruleset", ruleset, "--format", "json", "--fail-severity", "hint"]);
    const results = JSON.parse(stdout.slice(stdout.indexOf("["), stdout.lastIndexOf("]") + 1)) as Array<{ code: string; message: string; path: string[] }>;
    expect(results.map((result) => `${result.code}: ${result.message} at ${result.path.join(".")}`)).toEqual([]);
  });

  it("describes every operation, parameter and property, and carries servers, tags and examples", () => {
    const missing: string[] = [];
    const walk = (schema: Schema | boolean | undefined, where: string): void => {
      if (!schema || typeof schema !== "object") return;
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        if (!property.description) missing.push(`${where}.${name}`);
        walk(property, `${where}.${name}`);
      }
      walk(schema.items, `${where}[]`);
      walk(schema.additionalProperties, `${where}{}`);
      for (const part of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) walk(part, where);
    };
    for (const { where, operation } of operations()) {
      if (!operation.description) missing.push(`${where}: operation`);
      for (const parameter of operation.parameters ?? []) if (!parameter.description) missing.push(`${where}: parameter ${parameter.name}`);
      for (const content of Object.values(operation.requestBody?.content ?? {})) {
        walk(content.schema, `${where} body`);
        expect(content.schema.examples?.length ?? 0, `${where}: a request body example`).toBeGreaterThan(0);
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const content of Object.values(response.content ?? {})) walk(content.schema, `${where} ${status}`);
      }
    }
    walk(document.components.schemas.Error, "Error");
    expect(missing).toEqual([]);
    expect(document.servers?.length).toBeGreaterThan(0);
    expect(document.tags?.map((tag) => tag.name)).toEqual(expect.arrayContaining(["Projects", "Scopes", "Keys", "Verification", "Tokens", "Audit", "System"]));
    expect(JSON.stringify(document.paths)).toContain('"examples":["billing-api"]');
  });

  it("documents the statuses the server answers: PUT scope 201 then 200, 401 for every route that needs a token", async () => {
    const putScope = document.paths["/v1/projects/{project}/scopes/{scope}"]!.put!;
    await k.call("POST", "/v1/projects", { body: { name: "openapi-statuses" } });
    const created = await k.call("PUT", "/v1/projects/openapi-statuses/scopes/invoices:read", { body: { description: "Read invoices" } });
    const updated = await k.call("PUT", "/v1/projects/openapi-statuses/scopes/invoices:read", { body: { description: "Read all invoices" } });
    expect([created.statusCode, updated.statusCode]).toEqual([201, 200]);
    expect(Object.keys(putScope.responses)).toEqual(expect.arrayContaining(["200", "201", "400", "401", "403", "404", "413", "415", "429", "500"]));

    for (const route of Object.values(routes) as Route[]) {
      const operation = document.paths[route.path]![route.method.toLowerCase()]!;
      if (route.permission === "public") continue;
      const path = route.path.replace("{project}", "openapi-statuses").replace("{scope}", "invoices:read").replace("{id}", "key_00000000000000000000");
      const answer = await k.call(route.method, path, { token: null, ...(route.body ? { body: {} } : {}) });
      expect(answer.statusCode, `${route.method} ${route.path} without a token`).toBe(401);
      expect(Object.keys(operation.responses), route.operationId).toContain("401");
    }
    const missingKey = await k.call("GET", "/v1/keys/key_00000000000000000000");
    expect(missingKey.statusCode).toBe(404);
    expect(Object.keys(document.paths["/v1/keys/{id}"]!.get!.responses)).toContain("404");
  });

  it("documents 403 exactly where a token lacking the route's scope is refused, and 429/503 with Retry-After wherever a token is read", async () => {
    await k.call("POST", "/v1/projects", { body: { name: "openapi-forbidden" } });
    await k.call("PUT", "/v1/projects/openapi-forbidden/scopes/invoices:read", { body: { description: "Read invoices" } });
    const narrow = await k.call("POST", "/v1/tokens", { body: { name: "openapi-narrow", scopes: ["keys:verify"] } });
    expect(narrow.statusCode, narrow.body).toBe(201);
    const token = (narrow.json() as { secret: string }).secret;
    for (const route of Object.values(routes) as Route[]) {
      if (route.permission === "public" || route.permission.includes("keys:verify")) continue;
      const operation = document.paths[route.path]![route.method.toLowerCase()]!;
      const path = route.path.replace("{project}", "openapi-forbidden").replace("{scope}", "invoices:read").replace("{id}", "key_00000000000000000000").replace("{name}", "none");
      const answer = await k.call(route.method, path, { token, ...(route.body ? { body: {} } : {}) });
      const refused = route.permission.length > 0;
      expect(answer.statusCode === 403, `${route.method} ${route.path} with a token holding only keys:verify answered ${answer.statusCode}`).toBe(refused);
      expect(Object.keys(operation.responses).includes("403"), `${route.operationId} documents 403`).toBe(refused);
      for (const status of ["429", "503"]) expect(operation.responses[status]?.headers, `${route.operationId} ${status}`).toHaveProperty("Retry-After");
    }
  });

  it("generates a TypeScript client with openapi-typescript that type-checks in strict mode", async () => {
    const generator = await requireTool("openapi-typescript", "openapi-typescript");
    const tsc = await requireTool("tsc", "typescript");
    const generated = join(dir, "keyward-api.d.ts");
    await runTool(generator, [documentPath, "--output", generated]);
    const consumer = join(dir, "consumer.ts");
    await writeFile(
      consumer,
      [
        'import type { paths } from "./keyward-api";',
        'type CreateKeyBody = paths["/v1/keys"]["post"]["requestBody"]["content"]["application/json"];',
        'type Created = paths["/v1/keys"]["post"]["responses"]["201"]["content"]["application/json"];',
        'type ScopeCreated = paths["/v1/projects/{project}/scopes/{scope}"]["put"]["responses"]["201"]["content"]["application/json"];',
        'type Problem = paths["/v1/keys/{id}"]["get"]["responses"]["404"]["content"]["application/json"];',
        'const body: CreateKeyBody = { project: "billing-api", environment: "live", name: "ci-deployer", scopes: ["invoices:read"] };',
        "export function secretOf(answer: Created): string { return answer.secret; }",
        "export function scopeName(answer: ScopeCreated): string { return answer.name; }",
        "export function codeOf(problem: Problem): string { return problem.error.code; }",
        "// @ts-expect-error: environment is `test` or `live`",
        'export const wrong: CreateKeyBody = { ...body, environment: "staging" };',
        "export { body };",
      ].join("\n"),
    );
    const errors = await run(tsc, ["--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", consumer], { cwd: dir }).then(
      () => "",
      (error: { stdout?: string; message: string }) => error.stdout || error.message,
    );
    expect(errors, "the generated client does not type-check").toBe("");
  }, 60_000);
});
