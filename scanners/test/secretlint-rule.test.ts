import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSecretFixtures } from "./secret-fixtures";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const ruleDirectory = join(root, "scanners/secretlint-rule-keyward");
const secretlintCli = join(root, "node_modules/secretlint/bin/secretlint.js");
const contractBuild = join(root, "packages/contract/dist/index.js");
const ruleId = "@keyward/secretlint-rule-keyward";

interface SecretlintMessage {
  readonly ruleId: string;
  readonly messageId: string;
  readonly message: string;
  readonly range: readonly [number, number];
}
interface SecretlintResult {
  readonly filePath: string;
  readonly messages: readonly SecretlintMessage[];
}

const fixtures = buildSecretFixtures();
const everySecretLike = [...fixtures.secrets.map(({ secret }) => secret), ...fixtures.checksumMisses, ...fixtures.shapeMisses];
let project: string;

/** Runs the real CLI in the fixture project; exit 1 means "found something", not a failure. */
async function secretlint(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [secretlintCli, ...args], { cwd: project });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (failed.code !== 1) throw new Error(`secretlint exited ${failed.code}: ${failed.stderr}`);
    return { code: 1, stdout: failed.stdout ?? "" };
  }
}

beforeAll(async () => {
  if (!existsSync(secretlintCli)) throw new Error("secretlint is not installed: run `npm ci` at the repository root");
  if (!existsSync(contractBuild)) {
    throw new Error("packages/contract/dist/index.js is missing: run `node scripts/build.mjs contract` (npm test does) first");
  }
  // The CLI loads the rule the way a user's project does: by package name, through its exports.
  await run("npm", ["run", "build", "--silent"], { cwd: ruleDirectory });
  project = await mkdtemp(join(tmpdir(), "keyward-secretlint-"));
  for (const [name, content] of Object.entries(fixtures.files)) {
    await mkdir(dirname(join(project, name)), { recursive: true });
    await writeFile(join(project, name), content);
  }
  await writeFile(join(project, ".secretlintrc.json"), JSON.stringify({ rules: [{ id: ruleId }] }));
});

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe("@keyward/secretlint-rule-keyward with the secretlint CLI", () => {
  it("finds every real Keyward secret in prose, JSON, YAML and .env, and no near-miss", async () => {
    const { code, stdout } = await secretlint("--format", "json", "**/*");
    expect(code).toBe(1);
    const results = JSON.parse(stdout) as SecretlintResult[];
    const found = results.flatMap((result) => {
      const file = result.filePath.slice(project.length + 1);
      const content = fixtures.files[file] ?? "";
      return result.messages.map((message) => ({
        file,
        secret: content.slice(message.range[0], message.range[1]),
        ruleId: message.ruleId,
        messageId: message.messageId,
      }));
    });
    const expected = fixtures.secrets.map(({ file, secret }) => ({
      file,
      secret,
      ruleId,
      messageId: secret.startsWith("kwm_") ? "KEYWARD_MANAGEMENT_TOKEN" : "KEYWARD_API_KEY",
    }));
    const order = (a: { file: string; secret: string }, b: { file: string; secret: string }) =>
      `${a.file} ${a.secret}`.localeCompare(`${b.file} ${b.secret}`);
    expect(found.sort(order)).toEqual(expected.sort(order));
  });

  it("passes a file of near-misses: bad checksum, wrong prefix or environment, truncated, extended, embedded", async () => {
    const { code, stdout } = await secretlint("near-misses.txt");
    expect(stdout).toBe("");
    expect(code).toBe(0);
  });

  it("names a secret by its hint only, masked or not", async () => {
    const masked = await secretlint("notes.md");
    const unmasked = await secretlint("--no-maskSecrets", "notes.md");
    const planted = fixtures.secrets.filter(({ file }) => file === "notes.md").map(({ secret }) => secret);
    expect(masked.stdout).toContain("found a Keyward API key");
    for (const secret of planted) {
      expect(unmasked.stdout).toContain(`${secret.startsWith("kwm_") ? "kwm_" : secret.slice(0, 8)}…${secret.slice(-4)}`);
    }
    for (const secret of everySecretLike) {
      expect(masked.stdout).not.toContain(secret);
      expect(unmasked.stdout).not.toContain(secret);
    }
  });
});

describe("@keyward/secretlint-rule-keyward as a package", () => {
  it("packs its built module, declarations, README and LICENSE, and nothing of its sources", async () => {
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ruleDirectory });
    const [packed] = JSON.parse(stdout) as { files: { path: string }[] }[];
    const paths = (packed?.files ?? []).map(({ path }) => path).sort();
    expect(paths).toEqual([
      "LICENSE",
      "README.md",
      "module/index.d.ts",
      "module/index.js",
      "module/keyward-secret-finder.d.ts",
      "module/keyward-secret-finder.js",
      "module/keyward-secret-rule.d.ts",
      "module/keyward-secret-rule.js",
      "package.json",
    ]);
  });

  it("type-checks for a consumer on nodenext and on bundler resolution, with no contract types needed", async () => {
    const consumer = await mkdtemp(join(tmpdir(), "keyward-secretlint-consumer-"));
    try {
      await mkdir(join(consumer, "node_modules/@keyward"), { recursive: true });
      await mkdir(join(consumer, "node_modules/@secretlint"), { recursive: true });
      await symlink(ruleDirectory, join(consumer, "node_modules/@keyward/secretlint-rule-keyward"));
      await symlink(join(root, "node_modules/@secretlint/types"), join(consumer, "node_modules/@secretlint/types"));
      await writeFile(join(consumer, "package.json"), JSON.stringify({ type: "module" }));
      await writeFile(
        join(consumer, "consumer.ts"),
        [
          'import { creator, findKeywardSecrets, type KeywardSecretFinding } from "@keyward/secretlint-rule-keyward";',
          "export const id: string = creator.meta.id;",
          'export const findings: KeywardSecretFinding[] = findKeywardSecrets("");',
          "",
        ].join("\n"),
      );
      const tsc = join(root, "node_modules/typescript/bin/tsc");
      for (const [module, moduleResolution] of [["nodenext", "nodenext"], ["esnext", "bundler"]]) {
        const compilerOptions = { strict: true, noEmit: true, module, moduleResolution, types: [] };
        await writeFile(join(consumer, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["consumer.ts"] }));
        await expect(run(process.execPath, [tsc, "-p", consumer]), moduleResolution).resolves.toBeDefined();
      }
    } finally {
      await rm(consumer, { recursive: true, force: true });
    }
  });
});
