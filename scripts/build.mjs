// Builds every package with esbuild. `node scripts/build.mjs [name…] [--except name…]`.
// The action's dist/ is committed (GitHub runs it as is); `npm test` leaves it alone and a test
// checks it against a fresh in-memory build instead, so a stale bundle fails CI.
import { chmod, readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Third-party packages a library needs at run time: its own, and those of the workspace packages
 * it inlines (the server inlines the client, which needs undici; bundling undici breaks on its
 * `require("node:assert")` in an ESM bundle, and would ship a second copy besides).
 */
async function thirdPartyDependencies(pkg) {
  const manifest = JSON.parse(await readFile(`${root}packages/${pkg}/package.json`, "utf8"));
  // Peer dependencies (cdktf, constructs) are the user's own copy and must never be bundled.
  const names = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
  const own = names.filter((name) => !name.startsWith("@keyward/"));
  const inlined = names.filter((name) => name.startsWith("@keyward/")).map((name) => name.slice("@keyward/".length));
  const transitive = await Promise.all(inlined.map((workspace) => thirdPartyDependencies(workspace)));
  return [...new Set([...own, ...transitive.flat()])];
}

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
  absWorkingDir: root,
};

/** A library: our own workspace code inlined, third-party packages left to node_modules. */
async function library(pkg, entryPoints) {
  return {
    ...common,
    entryPoints: entryPoints.map((entry) => `packages/${pkg}/src/${entry}.ts`),
    outdir: `packages/${pkg}/dist`,
    external: await thirdPartyDependencies(pkg),
  };
}

/** A self-contained executable: everything inlined, runs with a bare `node`. */
function standalone(pkg, entry, outfile, banner = "") {
  return {
    ...common,
    entryPoints: [`packages/${pkg}/src/${entry}.ts`],
    outfile: `packages/${pkg}/dist/${outfile}`,
    // Some CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
    banner: {
      js: `${banner}import { createRequire as __keywardRequire } from "node:module"; const require = __keywardRequire(import.meta.url);`,
    },
  };
}

export const targets = {
  contract: async () => [await library("contract", ["index"])],
  client: async () => [await library("client", ["index"])],
  server: async () => [await library("server", ["index", "cli"])],
  "terraform-plugin": async () => [await library("terraform-plugin", ["index"])],
  provider: async () => [
    // CommonJS: Terraform runs the installed copy as `terraform-provider-keyward_v0.1.0`, and Node
    // refuses ESM from a file whose name ends in an unknown extension such as `.0`. The library
    // beside it is ESM (`.mjs`), and dist/package.json marks the executable's `.js` as CommonJS.
    { ...standalone("provider", "main", "terraform-provider-keyward.js"), format: "cjs", banner: { js: "#!/usr/bin/env node" } },
    { ...(await library("provider", ["index", "installProvider"])), outExtension: { ".js": ".mjs" } },
  ],
  cdktf: async () => [await library("cdktf", ["index"])],
  // CDK Terrain: the same sources as @keyward/cdktf, with the core library swapped at build time
  // (every import of it goes through packages/cdktf/src/constructs/cdktf.ts).
  cdktn: async () => [
    {
      ...(await library("cdktf", ["index"])),
      outdir: "packages/cdktn/dist",
      external: await thirdPartyDependencies("cdktn"),
      alias: { cdktf: "cdktn" },
    },
  ],
  action: async () => [standalone("action", "main", "index.js")],
};

export async function buildOptions(name) {
  return targets[name]();
}

async function main(argv) {
  const except = argv.includes("--except") ? argv.slice(argv.indexOf("--except") + 1) : [];
  const named = argv.includes("--except") ? argv.slice(0, argv.indexOf("--except")) : argv;
  const unknown = [...named, ...except].filter((name) => !(name in targets));
  if (unknown.length > 0) {
    throw new Error(`unknown build target(s) ${unknown.join(", ")}; expected any of ${Object.keys(targets).join(", ")}`);
  }
  const chosen = (named.length > 0 ? named : Object.keys(targets)).filter((name) => !except.includes(name));
  for (const name of chosen) {
    for (const options of await buildOptions(name)) {
      await esbuild.build(options);
      if (options.outfile?.endsWith("terraform-provider-keyward.js")) {
        await chmod(`${root}${options.outfile}`, 0o755);
        await writeFile(`${root}packages/provider/dist/package.json`, `${JSON.stringify({ type: "commonjs" })}\n`);
      }
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
