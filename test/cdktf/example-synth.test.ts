import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { CdktfExample, synthesizeExample } from "./cdktf-example";

// Issue 4: `npm run synth` in examples/cdktf writes cdktf.out/stacks/<stack>/cdk.tf.json with no cdktf CLI.
const scratch = await mkdtemp(join(tmpdir(), "keyward-cdktf-synth-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

// Shaped like a management token; the synthesized files must never contain it.
const token = `kwm_test_${"T0kenValueThatMustNeverBeWritten1234567890a".slice(0, 43)}abcdef`;

type Stack = {
  provider: { keyward: Array<Record<string, unknown>> };
  resource: Record<string, Record<string, Record<string, unknown>>>;
};

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe("examples/cdktf", () => {
  test("npm run synth writes the stack: provider endpoint from KEYWARD_URL, project, scopes, a test key and a rotated live key", async () => {
    const outdir = join(scratch, "npm");
    const result = await synthesizeExample(outdir, { KEYWARD_URL: "http://127.0.0.1:18787", KEYWARD_TOKEN: token });
    expect(result.exitCode, result.output).toBe(0);
    const stack = JSON.parse(await readFile(join(result.stackDir, "cdk.tf.json"), "utf8")) as Stack;

    expect(stack.provider.keyward).toEqual([{ endpoint: "http://127.0.0.1:18787" }]);
    expect(Object.values(stack.resource.keyward_project ?? {})).toEqual([
      expect.objectContaining({ name: "billing-cdktf", description: "Invoices and payments" }),
    ]);
    expect(Object.values(stack.resource.keyward_scope ?? {}).map((scope) => scope.name)).toEqual(["invoices:read", "invoices:write"]);
    const keys = Object.values(stack.resource.keyward_api_key ?? {});
    expect(keys.map((key) => [key.environment, key.name, key.rotation])).toEqual([
      ["test", "dashboard", undefined],
      ["live", "ci-deployer", { every: "30d", grace_period: "24h" }],
    ]);
  });

  test("the management token is never written into the synthesized output nor printed", async () => {
    const outdir = join(scratch, "token");
    const result = await synthesizeExample(outdir, { KEYWARD_URL: "http://127.0.0.1:18787", KEYWARD_TOKEN: token });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).not.toContain(token);
    const files = await filesUnder(outdir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(await readFile(file, "utf8"), file).not.toContain(token);
  });

  test("a key naming an undeclared scope fails synthesis with the construct path and the scope", async () => {
    const example = await CdktfExample.copy();
    try {
      await example.edit("billing-keys-stack.ts", 'scopes: ["invoices:read"],', 'scopes: ["invoices:read", "invoices:delete"],');
      const result = await example.synth(join(scratch, "undeclared"), { KEYWARD_URL: "http://127.0.0.1:18787" });
      expect(result.exitCode).not.toBe(0);
      expect(result.output).toContain("[billing-keys/Billing/Dashboard] key 'dashboard' names scope 'invoices:delete'");
    } finally {
      await example.remove();
    }
  });
});
