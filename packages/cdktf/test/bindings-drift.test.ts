import { spawnSync } from "node:child_process";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

// SPEC §6 / issue 4: the committed bindings must be what the generator makes from the provider's schema.
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const scratch = await mkdtemp(join(tmpdir(), "keyward-drift-"));
const savedSchema = join(scratch, "schema.json");
let check: { status: number | null; output: string };

function run(command: string, args: readonly string[]) {
  const result = spawnSync(command, args, { cwd: packageDir, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

// `npm run generate` with `--check` appended, so the check reads the schema exactly as the script
// does; the schema it read is kept so the second test need not build the provider again.
beforeAll(() => {
  check = run("npm", ["run", "--silent", "generate", "--", "--check", "--save-schema", savedSchema]);
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("generated CDKTF bindings", () => {
  test("src/gen matches a fresh generation from the provider's schema", () => {
    expect(check.status, check.output).toBe(0);
    expect(check.output).not.toContain("do not match");
  });

  test("an edited binding is reported as drift, with the command that fixes it", async () => {
    const edited = join(scratch, "gen");
    await cp(join(packageDir, "src/gen"), edited, { recursive: true });
    await writeFile(join(edited, "scope/index.ts"), "// edited by hand\n", { flag: "a" });
    await writeFile(join(edited, "stale.ts"), "export {};\n");
    const { status, output } = run(process.execPath, ["scripts/generate-bindings.mjs", "--schema", savedSchema, "--check", "--against", edited]);
    expect(status).toBe(1);
    expect(output).toContain("scope/index.ts (differs)");
    expect(output).toContain("stale.ts (should not exist)");
    expect(output).toContain("Run npm run generate -w @keyward/cdktf and commit the result.");
  });
});
