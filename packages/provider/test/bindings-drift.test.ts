import { spawnSync } from "node:child_process";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";

// SPEC §6 / issue 4: the committed bindings must be what the generator makes from the provider's schema.
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const scratch = await mkdtemp(join(tmpdir(), "keyward-drift-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** `npm run generate` with `--check` appended, so the check reads the schema exactly as the script does. */
function checkBindings(...extra: string[]) {
  const result = spawnSync("npm", ["run", "--silent", "generate", "--", "--check", ...extra], {
    cwd: packageDir,
    encoding: "utf8",
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("generated CDKTF bindings", () => {
  test("src/gen matches a fresh generation from the provider's schema", () => {
    const { status, output } = checkBindings();
    expect(status, output).toBe(0);
    expect(output).not.toContain("do not match");
  });

  test("an edited binding is reported as drift, with the command that fixes it", async () => {
    const edited = join(scratch, "gen");
    await cp(join(packageDir, "src/gen"), edited, { recursive: true });
    await writeFile(join(edited, "scope/index.ts"), "// edited by hand\n", { flag: "a" });
    await writeFile(join(edited, "stale.ts"), "export {};\n");
    const { status, output } = checkBindings("--against", edited);
    expect(status).toBe(1);
    expect(output).toContain("scope/index.ts (differs)");
    expect(output).toContain("stale.ts (should not exist)");
    expect(output).toContain("Run npm run generate -w @keyward/provider and commit the result.");
  });
});
