// Builds the packages. `node scripts/build.mjs [name…] [--except name…] [--force]`; a named package brings
// the workspace packages it depends on. Each library is bundled with esbuild, one file per entry
// point, every dependency left to node_modules (SPEC §17: no workspace package inside another, so
// there is one `Secret` class and one contract), and gets `.d.ts` declarations from the TypeScript
// compiler next to it. The action's dist/ is committed (GitHub runs it as is); `npm test` leaves it
// alone and a test checks it against a fresh in-memory build instead, so a stale bundle fails CI.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateRawSync } from "node:zlib";
import * as esbuild from "esbuild";
import { licensesText } from "./bundle-licenses.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

async function manifestOf(pkg) {
  return JSON.parse(await readFile(`${root}packages/${pkg}/package.json`, "utf8"));
}

/** Everything a library imports that is not its own source: dependencies and peer dependencies. */
async function externalsOf(pkg) {
  const manifest = await manifestOf(pkg);
  return Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
}

/** The workspace packages a package needs built first (their declarations, their dist at run time). */
async function workspaceDependenciesOf(pkg) {
  const manifest = await manifestOf(pkg);
  const names = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
  return names.filter((name) => name.startsWith("@keyward/")).map((name) => name.slice("@keyward/".length));
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

/** A library: its own modules bundled per entry point, every dependency external. */
async function library(pkg, entryPoints, { from = pkg } = {}) {
  return {
    ...common,
    entryPoints: entryPoints.map((entry) => `packages/${from}/src/${entry}.ts`),
    outdir: `packages/${pkg}/dist`,
    external: await externalsOf(pkg),
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

/**
 * The provider executable in two parts (issue 14: Terraform starts it three times per plan), each a
 * minified CommonJS bundle kept inside a comment, which V8 skims at almost no cost where it would
 * otherwise pre-parse every function, and compiled through a V8 code cache
 * kept between launches (packages/provider/src/executable/). The launch part is main.ts; it asks
 * for the provider part (resources, the API client, the contract's schemas: 1.6 MB of the 2.2 MB
 * of minified code) only at the first call that needs it, and shares its @keyward/terraform-plugin with it.
 */
const deferredProvider = {
  name: "deferred-provider",
  setup(build) {
    build.onResolve({ filter: /^\.\/provider$/ }, (args) => (args.importer.endsWith(join("packages", "provider", "src", "main.ts")) ? { path: "provider", namespace: "deferred-provider" } : undefined));
    build.onResolve({ filter: /^keyward-executable:provider-part$/ }, (args) => ({ path: args.path, external: true }));
    build.onLoad({ filter: /.*/, namespace: "deferred-provider" }, () => ({
      contents: 'import * as plugin from "@keyward/terraform-plugin";\nimport providerPart from "keyward-executable:provider-part";\nexport const keywardProvider = providerPart(plugin).keywardProvider;\n',
      loader: "js",
      resolveDir: `${root}packages/provider/src`,
    }));
  },
};

/**
 * One part, packed into the body of a comment: `deflate` (base64 of the deflated source) for the
 * provider part, which only some launches need, so that every launch skims 0.6 MB for its 1.6 MB;
 * the launch part as it is (`text`: minified, ASCII), so that no launch inflates before the
 * handshake, each `*\/` of it written `*\/\/*!` (a comment closed and the next opened).
 */
async function executablePart(name, encoding, options) {
  // `supported`: a part runs as a vm.Script, which has no dynamic import; `import("node:x")` (a
  // module loaded only when needed) becomes a `require` of it in a promise.
  const built = await esbuild.build({ ...common, format: "cjs", minify: true, write: false, supported: { "dynamic-import": false }, ...options });
  const source = built.outputFiles[0].text;
  const id = createHash("sha256").update(source).digest("hex").slice(0, 32);
  const asText = encoding === "text" && !source.includes("*//*!") && /^[\x20-\x7e\n\t]*$/.test(source);
  const body = asText ? source.replaceAll("*/", "*//*!") : deflateRawSync(source, { level: 9 }).toString("base64");
  const placeholder = `KEYWARD_EXECUTABLE_PART_${name.toUpperCase()}`;
  return {
    // esbuild keeps a legal comment (`/*!`) where the options say `legalComments: "inline"`; the
    // part replaces the placeholder after esbuild has written the file (`executableParts`).
    packed: `function ${name}Part() {\n/*!${placeholder}*/\n}`,
    part: `{ name: ${JSON.stringify(name)}, id: ${JSON.stringify(id)}, encoding: ${JSON.stringify(asText ? "text" : "deflate")}, packed: ${name}Part }`,
    placeholder,
    body,
  };
}

/** Writes each part's body over its placeholder in the executable esbuild wrote. */
function executableParts(parts) {
  return {
    name: "executable-parts",
    setup(build) {
      build.onEnd(async (result) => {
        if (result.errors.length > 0) return;
        const file = resolve(root, build.initialOptions.outfile);
        let text = await readFile(file, "utf8");
        for (const { placeholder, body } of parts) {
          if (text.split(placeholder).length !== 2) throw new Error(`${build.initialOptions.outfile}: expected the placeholder ${placeholder} once`);
          text = text.replace(placeholder, () => body);
        }
        await writeFile(file, text);
      });
    },
  };
}

/**
 * The client transport's `import("undici")`, in the provider part only: packages/provider/src/
 * executable/undici-request.cjs, the `request` it uses built from undici's own lib files, so that a
 * launch's first request loads a third of what undici's index loads, and no web, cookie or mock
 * code (issue 14). Other importers, and every other bundle, get undici whole.
 */
const undiciRequest = {
  name: "undici-request",
  setup(build) {
    const transport = join("packages", "client", "src", "transport.ts");
    const entry = `${root}packages/provider/src/executable/undici-request.cjs`;
    build.onResolve({ filter: /^undici$/ }, (args) => (args.importer.endsWith(transport) ? { path: entry } : undefined));
    // Its lib files come from the undici the client would load, wherever npm put it.
    build.onResolve({ filter: /^undici\// }, (args) => (args.importer === entry ? build.resolve(args.path, { kind: args.kind, resolveDir: `${root}packages/client` }) : undefined));
  },
};

/** The executable's entry (the launcher and the two parts it runs), and the plugin that fills in the parts. */
async function providerExecutable() {
  const provider = await executablePart("provider", "deflate", { entryPoints: ["packages/provider/src/provider.ts"], external: ["@keyward/terraform-plugin"], plugins: [undiciRequest] });
  const launch = await executablePart("launch", "text", { entryPoints: ["packages/provider/src/main.ts"], plugins: [deferredProvider], define: { PROVIDER_SCHEMA_ANSWER: JSON.stringify(await providerSchemaAnswer()) } });
  const contents = [
    'import { launchExecutable } from "./executable/launcher";',
    launch.packed,
    provider.packed,
    `launchExecutable({ launch: ${launch.part}, provider: ${provider.part} }, require);`,
  ].join("\n");
  return { contents, plugin: executableParts([launch, provider]) };
}

/**
 * GetProviderSchema's answer for the provider's sources, base64, computed by running them: main.ts
 * serves it without loading the provider (the launch Terraform makes only to read schemas).
 */
async function providerSchemaAnswer() {
  const work = await mkdtemp(join(tmpdir(), "keyward-provider-schema-"));
  try {
    const script = join(work, "schema.cjs");
    const contents = 'import { providerSchemaAnswer } from "@keyward/terraform-plugin";\nimport { keywardProvider } from "./provider";\nprocess.stdout.write(Buffer.from(providerSchemaAnswer(keywardProvider)).toString("base64"));\n';
    await esbuild.build({ ...common, format: "cjs", stdin: { contents, resolveDir: `${root}packages/provider/src`, loader: "ts", sourcefile: "schema-answer.ts" }, outfile: script });
    return execFileSync(process.execPath, [script], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * What each package builds: esbuild options, and which entry points get declarations. Listed in
 * dependency order, which is the order they build in.
 */
export const targets = {
  contract: { bundles: async () => [await library("contract", ["index"])], declarations: ["index"] },
  client: { bundles: async () => [await library("client", ["index"])], declarations: ["index"] },
  "github-secrets": { bundles: async () => [await library("github-secrets", ["index"])], declarations: ["index"] },
  "terraform-plugin": { bundles: async () => [await library("terraform-plugin", ["index"])], declarations: ["index"] },
  // Split: the CLI's commands are dynamic imports (src/cli/command-catalog.ts), each its own chunk,
  // so `keyward --help` loads none of them.
  server: { bundles: async () => [{ ...(await library("server", ["index", "cli"])), splitting: true, chunkNames: "chunks/[name]-[hash]" }], declarations: ["index"] },
  provider: {
    bundles: async () => {
      const executable = await providerExecutable();
      return [
        // The executable is the one thing built whole: Terraform runs a copy of it from its plugin
        // directory, where no node_modules can be found. CommonJS, because that copy is named
        // `terraform-provider-keyward_v0.1.0` and Node refuses ESM from a file whose name ends in an
        // unknown extension such as `.0`; dist/package.json marks the `.js` as CommonJS, and the
        // small ESM library beside it is `.mjs`.
        {
          ...common,
          outfile: "packages/provider/dist/terraform-provider-keyward.js",
          stdin: { contents: executable.contents, resolveDir: `${root}packages/provider/src`, loader: "js", sourcefile: "terraform-provider-keyward.js" },
          plugins: [executable.plugin],
          format: "cjs",
          minify: true,
          banner: { js: "#!/usr/bin/env node" },
          legalComments: "inline",
        },
        { ...(await library("provider", ["index"])), outExtension: { ".js": ".mjs" } },
      ];
    },
    declarations: ["index"],
    declarationExtension: ".d.mts",
  },
  cdktf: { bundles: async () => [await library("cdktf", ["index"])], declarations: ["index"] },
  // CDK Terrain: the same sources as @keyward/cdktf, with the core library swapped at build time
  // (every import of it goes through packages/cdktf/src/constructs/cdktf.ts).
  cdktn: {
    bundles: async () => [{ ...(await library("cdktn", ["index"], { from: "cdktf" })), alias: { cdktf: "cdktn" } }],
    declarationsFrom: "cdktf",
  },
  // The metafile lists what the bundle inlines: licenses.txt is written from it, and a test checks
  // it holds one copy of each package (the root package.json's `overrides` bring @actions/* onto
  // the client's undici).
  action: { bundles: async () => [{ ...standalone("action", "main", "index.js"), metafile: true }] },
};

export async function buildOptions(name) {
  return targets[name].bundles();
}

/** `from "./x"` in a declaration file, as Node's ESM resolution needs it: `"./x.js"` or `"./x/index.js"`. */
function withExtensions(text, declarationFile, sourceFile) {
  return text.replace(/(\bfrom\s+|\bimport\(\s*)(["'])(\.\.?\/[^"']*)\2/g, (match, keyword, quote, specifier) => {
    if (/\.(js|mjs|cjs|json)$/.test(specifier)) return match;
    const target = join(dirname(sourceFile), specifier);
    if (existsSync(`${target}.ts`)) return `${keyword}${quote}${specifier}.js${quote}`;
    if (existsSync(join(target, "index.ts"))) return `${keyword}${quote}${specifier}/index.js${quote}`;
    throw new Error(`${relative(root, declarationFile)}: cannot resolve '${specifier}'`);
  });
}

let typescript;

/**
 * `.d.ts` files for a package's entry points and every module they reach, under dist/. Other
 * workspace packages are seen through their own built declarations (no `paths` to their sources),
 * so each package's published types are checked to stand on their own.
 */
async function emitDeclarations(pkg, entries, extension = ".d.ts") {
  typescript ??= (await import("typescript")).default;
  const ts = typescript;
  const config = ts.readConfigFile(`${root}tsconfig.json`, ts.sys.readFile).config;
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const srcDir = `${root}packages/${pkg}/src`;
  const outDir = `${root}packages/${pkg}/dist`;
  const compilerOptions = { ...options, paths: undefined, noEmit: false, declaration: true, emitDeclarationOnly: true, rootDir: srcDir, outDir };
  const program = ts.createProgram(entries.map((entry) => `${srcDir}/${entry}.ts`), compilerOptions);
  const problems = [...program.getSyntacticDiagnostics(), ...program.getOptionsDiagnostics()];
  const result = program.emit(undefined, (fileName, text) => {
    const sourceFile = join(srcDir, relative(outDir, fileName)).replace(/\.d\.ts$/, ".ts");
    const target = fileName.replace(/\.d\.ts$/, extension);
    ts.sys.writeFile(target, withExtensions(text, target, sourceFile));
  });
  problems.push(...result.diagnostics);
  if (problems.length > 0) {
    const host = { getCanonicalFileName: (name) => name, getCurrentDirectory: () => root, getNewLine: () => "\n" };
    throw new Error(`declarations of ${pkg}:\n${ts.formatDiagnostics(problems, host)}`);
  }
}

/** @keyward/cdktn's declarations: @keyward/cdktf's, with the core library named `cdktn`. */
async function copyDeclarations(from, pkg) {
  const fromDir = `${root}packages/${from}/dist`;
  const outDir = `${root}packages/${pkg}/dist`;
  for (const file of await readdir(fromDir, { recursive: true })) {
    if (!file.endsWith(".d.ts")) continue;
    const text = await readFile(join(fromDir, file), "utf8");
    await mkdir(dirname(join(outDir, file)), { recursive: true });
    await writeFile(join(outDir, file), text.replace(/(["'])cdktf\1/g, '"cdktn"'));
  }
}

/**
 * What every build reads: all the packages' sources and manifests, the build scripts, the compiler
 * settings and the lockfile (the versions of esbuild, TypeScript and every bundled dependency). One
 * fingerprint for all of them: a library's bundle and declarations also read its workspace
 * dependencies, and the provider executable inlines several packages' sources.
 */
let fingerprint;
async function inputsFingerprint() {
  if (fingerprint) return fingerprint;
  const hash = createHash("sha256");
  const files = ["package.json", "package-lock.json", "tsconfig.json"];
  for (const file of (await readdir(`${root}scripts`)).sort()) files.push(`scripts/${file}`);
  for (const pkg of (await readdir(`${root}packages`)).sort()) {
    if (!existsSync(`${root}packages/${pkg}/package.json`)) continue;
    files.push(`packages/${pkg}/package.json`);
    if (!existsSync(`${root}packages/${pkg}/src`)) continue;
    for (const file of (await readdir(`${root}packages/${pkg}/src`, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile())) {
      files.push(relative(root, join(file.parentPath, file.name)));
    }
  }
  for (const file of files.sort()) hash.update(`${file}\0`).update(await readFile(`${root}${file}`)).update("\0");
  fingerprint = hash.digest("hex");
  return fingerprint;
}

/**
 * Where a built package records what it was built from and what it wrote: outside dist/, which
 * `npm pack` ships.
 */
const stampOf = (name) => `${root}node_modules/.cache/keyward-build/${name}.json`;

/** Every file of a package's dist/, with its size and modification time: a dist/ changed or removed since is built again. */
async function distListing(name) {
  const dist = `${root}packages/${name}/dist`;
  if (!existsSync(dist)) return [];
  const entries = await readdir(dist, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)).sort();
  return Promise.all(files.map(async (file) => {
    const { size, mtimeMs } = await stat(file);
    return [relative(dist, file), size, mtimeMs];
  }));
}

/**
 * A package whose dist/ was built from exactly these inputs, and not touched since, is not built
 * again: `npm test` builds first, and then `npm start`, the packed-package tests and others run
 * the same build, which finds nothing to do. `--force` builds anyway. The action is always built
 * (its dist/ is committed).
 */
async function upToDate(name) {
  if (name === "action" || process.argv.includes("--force")) return false;
  const stamp = stampOf(name);
  if (!existsSync(stamp)) return false;
  const recorded = JSON.parse(await readFile(stamp, "utf8"));
  return recorded.inputs === (await inputsFingerprint()) && JSON.stringify(recorded.dist) === JSON.stringify(await distListing(name));
}

async function recordBuilt(name) {
  await mkdir(dirname(stampOf(name)), { recursive: true });
  await writeFile(stampOf(name), JSON.stringify({ inputs: await inputsFingerprint(), dist: await distListing(name) }));
}

async function build(name) {
  if (await upToDate(name)) return;
  const target = targets[name];
  if (name !== "action") await rm(stampOf(name), { force: true });
  for (const options of await target.bundles()) {
    const result = await esbuild.build(options);
    if (options.outfile === "packages/action/dist/index.js") {
      await writeFile(`${root}packages/action/dist/licenses.txt`, await licensesText(result.metafile, root));
    }
    if (options.outfile?.endsWith("terraform-provider-keyward.js")) {
      await chmod(`${root}${options.outfile}`, 0o755);
      await writeFile(`${root}packages/provider/dist/package.json`, `${JSON.stringify({ type: "commonjs" })}\n`);
    }
  }
  if (target.declarations) await emitDeclarations(name, target.declarations, target.declarationExtension);
  if (target.declarationsFrom) await copyDeclarations(target.declarationsFrom, name);
  if (name !== "action") await recordBuilt(name);
}

/** The named packages and the workspace packages they need, in build order. */
async function withDependencies(names) {
  const chosen = new Set();
  const visit = async (name) => {
    if (chosen.has(name)) return;
    chosen.add(name);
    const needed = [...(await workspaceDependenciesOf(name)), ...(targets[name].declarationsFrom ? [targets[name].declarationsFrom] : [])];
    for (const dependency of needed) await visit(dependency);
  };
  for (const name of names) await visit(name);
  return Object.keys(targets).filter((name) => chosen.has(name));
}

async function main(argv) {
  argv = argv.filter((arg) => arg !== "--force");
  const except = argv.includes("--except") ? argv.slice(argv.indexOf("--except") + 1) : [];
  const named = argv.includes("--except") ? argv.slice(0, argv.indexOf("--except")) : argv;
  const unknown = [...named, ...except].filter((name) => !(name in targets));
  if (unknown.length > 0) {
    throw new Error(`unknown build target(s) ${unknown.join(", ")}; expected any of ${Object.keys(targets).join(", ")}`);
  }
  const requested = named.length > 0 ? await withDependencies(named) : Object.keys(targets);
  for (const name of requested.filter((name) => !except.includes(name))) await build(name);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
