// Generates the CDKTF bindings in packages/cdktf/src/gen/ from the provider's own schema.
//
//   node scripts/generate-bindings.mjs            build the provider, install it into a private
//                                                 filesystem mirror, `terraform init` offline and read
//                                                 `terraform providers schema -json`, then generate
//   node scripts/generate-bindings.mjs --schema F generate from a schema document already on disk
//   … --check [--against DIR]                     generate in a temporary directory and fail when the
//                                                 committed bindings (or DIR) differ: the CI drift check
//   … --save-schema FILE                          also write the schema document that was used to FILE
//
// `npm run generate -w @keyward/cdktf` runs the first form.
//
// @cdktf/provider-generator's package entry point requires jsii and jsii-pacmak (undeclared, and only
// needed for non-TypeScript targets), so this script drives its TerraformProviderGenerator with a
// codemaker CodeMaker directly, which is what `cdktf get` does for TypeScript. The output is then made
// to fit this repository: every `cdktf` import goes through src/constructs/cdktf.ts (the single
// module that the @keyward/cdktn build resolves to CDK Terrain), the CommonJS lazy index and
// per-resource READMEs are dropped, and the `override` modifiers our strict `noImplicitOverride`
// wants are added with the TypeScript compiler.
import { spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// The bindings are generated once, against CDKTF; @keyward/cdktn reuses them (README).
const coreLibrary = "cdktf";
const generatorPackage = "@cdktf/provider-generator";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = resolve(packageDir, "../..");
const providerDir = join(repoRoot, "packages/provider");
const bindingsDir = join(packageDir, "src/gen");
const cdktfModule = join(packageDir, "src/constructs/cdktf");
const providerAddress = "registry.terraform.io/keyward/keyward";
const regenerateCommand = "npm run generate -w @keyward/cdktf";

const require = createRequire(import.meta.url);
const generatorRequire = createRequire(require.resolve(`${generatorPackage}/package.json`));

function parseArguments(argv) {
  const options = { check: false, schema: undefined, against: bindingsDir, saveSchema: undefined };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === "--check") options.check = true;
    else if (argument === "--schema" && argv[index + 1]) options.schema = resolve(argv[++index]);
    else if (argument === "--against" && argv[index + 1]) options.against = resolve(argv[++index]);
    else if (argument === "--save-schema" && argv[index + 1]) options.saveSchema = resolve(argv[++index]);
    else throw new Error(`unknown argument '${argument}'; usage: generate-bindings.mjs [--schema FILE] [--check [--against DIR]] [--save-schema FILE]`);
  }
  return options;
}

/** A Terraform CLI configuration of our own: the environment's TF_CLI_CONFIG_FILE is not ours to use. */
async function writeCliConfig(work, mirrorDir) {
  const path = join(work, "terraform.rc");
  const installation = mirrorDir
    ? `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirrorDir)}\n    include = ["${providerAddress}"]\n  }\n}\n`
    : "";
  await writeFile(path, installation);
  return path;
}

function terraformEnvironment(cliConfig) {
  const environment = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
  delete environment.TF_PLUGIN_CACHE_DIR;
  delete environment.TF_LOG;
  return environment;
}

function terraform(args, cwd, environment) {
  const result = spawnSync("terraform", args, { cwd, env: environment, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error?.code === "ENOENT") {
    throw new Error("terraform is not on PATH: install the Terraform CLI (1.11) to read the provider's schema");
  }
  if (result.status !== 0) throw new Error(`terraform ${args.join(" ")} failed:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** The mirror layout of SPEC §6: <dir>/<host>/<namespace>/<type>/<version>/<os>_<arch>/<binary>. */
function platform() {
  const arch = { x64: "amd64", arm64: "arm64", ia32: "386" }[process.arch] ?? process.arch;
  return `${process.platform}_${arch}`;
}

/** The provider exactly as `npm run build` makes it, copied so that a later build cannot change it under us. */
async function buildProvider(work) {
  const built = spawnSync(process.execPath, [join(repoRoot, "scripts/build.mjs"), "provider"], { cwd: repoRoot, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`building the provider failed:\n${built.stderr}${built.stdout}`);
  const executable = join(work, "terraform-provider-keyward.js");
  await writeFile(executable, await readFile(join(providerDir, "dist/terraform-provider-keyward.js")));
  return executable;
}

async function installProvider(executable, mirrorDir) {
  const { version } = JSON.parse(await readFile(join(providerDir, "package.json"), "utf8"));
  const target = join(mirrorDir, providerAddress, version, platform(), `terraform-provider-keyward_v${version}`);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, await readFile(executable));
  await chmod(target, 0o755);
}

async function readProviderSchema(work) {
  const mirrorDir = join(work, "plugins");
  await installProvider(await buildProvider(work), mirrorDir);
  const environment = terraformEnvironment(await writeCliConfig(work, mirrorDir));
  const configDir = join(work, "config");
  await mkdir(configDir);
  await writeFile(
    join(configDir, "main.tf"),
    'terraform {\n  required_providers {\n    keyward = { source = "keyward/keyward" }\n  }\n}\n',
  );
  terraform(["init", "-input=false", "-no-color"], configDir, environment);
  const schema = JSON.parse(terraform(["providers", "schema", "-json"], configDir, environment));
  // Only our provider: `terraform providers schema` may also list built-in providers.
  return { format_version: schema.format_version, provider_schemas: { [providerAddress]: schema.provider_schemas[providerAddress] } };
}

async function listFiles(dir, base = dir) {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name), base) : [relative(base, join(dir, entry.name))])),
  );
  return nested.flat().sort();
}

function header(generatorVersion) {
  return [
    `// Generated by packages/cdktf/scripts/generate-bindings.mjs (${generatorPackage} ${generatorVersion})`,
    "// from the provider's schema (`terraform providers schema -json`). Do not edit: run",
    `// \`${regenerateCommand}\`. CI fails when these files drift from the provider's schema.`,
    "",
  ].join("\n");
}

function importThroughCdktfModule(relativePath, text) {
  let specifier = relative(dirname(join(bindingsDir, relativePath)), cdktfModule);
  if (!specifier.startsWith(".")) specifier = `./${specifier}`;
  return text.replaceAll(`from '${coreLibrary}';`, `from '${specifier}';`);
}

async function runGenerator(schema, work) {
  const { CodeMaker } = generatorRequire("codemaker");
  const { TerraformProviderGenerator } = generatorRequire("./lib/get/generator/provider-generator");
  const generator = new TerraformProviderGenerator(new CodeMaker(), schema);
  generator.generateAll();
  const outDir = join(work, "generated");
  await generator.save(outDir);
  return join(outDir, "providers", "keyward");
}

async function generateBindings(schema, work) {
  // @cdktf/commons runs `terraform version` when it loads: give it our CLI config, not the ambient one.
  Object.assign(process.env, terraformEnvironment(await writeCliConfig(work)));
  // The provider version goes into the bindings (as `cdktf get` does), so a synthesized stack's
  // required_providers names it and `cdktf diff`/`deploy` accept the stack.
  const { version: providerVersion } = JSON.parse(await readFile(join(providerDir, "package.json"), "utf8"));
  const generatedDir = await runGenerator({ ...schema, provider_versions: { [providerAddress]: providerVersion } }, work);
  const { version } = JSON.parse(await readFile(require.resolve(`${generatorPackage}/package.json`), "utf8"));
  const files = new Map();
  for (const path of await listFiles(generatedDir)) {
    // lazy-index.ts is CommonJS (this package is ESM); the READMEs only point at the registry.
    if (!path.endsWith(".ts") || path === "lazy-index.ts") continue;
    const text = await readFile(join(generatedDir, path), "utf8");
    files.set(path, header(version) + importThroughCdktfModule(path, text));
  }
  return addOverrideModifiers(files);
}

const overrideDiagnostics = new Set([4114, 4115, 4116]);

function declarationAt(ts, sourceFile, position) {
  const kinds = new Set([
    ts.SyntaxKind.PropertyDeclaration,
    ts.SyntaxKind.MethodDeclaration,
    ts.SyntaxKind.GetAccessor,
    ts.SyntaxKind.SetAccessor,
    ts.SyntaxKind.Parameter,
  ]);
  const find = (node) => {
    if (position < node.getStart(sourceFile) || position >= node.getEnd()) return undefined;
    return ts.forEachChild(node, find) ?? (kinds.has(node.kind) ? node : undefined);
  };
  return find(sourceFile);
}

/** Where `override` goes: after the accessibility and `static` modifiers, before any other. */
function overrideInsertion(ts, sourceFile, declaration) {
  const leading = new Set([ts.SyntaxKind.PublicKeyword, ts.SyntaxKind.ProtectedKeyword, ts.SyntaxKind.PrivateKeyword, ts.SyntaxKind.StaticKeyword]);
  const modifiers = (declaration.modifiers ?? []).filter((modifier) => modifier.kind !== ts.SyntaxKind.Decorator);
  const last = modifiers.filter((modifier) => leading.has(modifier.kind)).at(-1);
  return last ? { position: last.getEnd(), text: " override" } : { position: declaration.getStart(sourceFile), text: "override " };
}

/** The bindings are type-checked under the repository's strict tsconfig, which has noImplicitOverride. */
function addOverrideModifiers(files) {
  const ts = require("typescript");
  const byPath = new Map([...files].map(([path, text]) => [join(bindingsDir, path), text]));
  const config = ts.readConfigFile(join(repoRoot, "tsconfig.json"), ts.sys.readFile).config;
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, repoRoot);
  const host = ts.createCompilerHost(options);
  const readFileFromDisk = host.readFile;
  host.fileExists = (path) => byPath.has(path) || ts.sys.fileExists(path);
  host.readFile = (path) => byPath.get(path) ?? readFileFromDisk(path);
  const program = ts.createProgram([...byPath.keys()], options, host);
  const result = new Map();
  for (const [absolutePath, text] of byPath) {
    const sourceFile = program.getSourceFile(absolutePath);
    const insertions = program
      .getSemanticDiagnostics(sourceFile)
      .filter((diagnostic) => overrideDiagnostics.has(diagnostic.code))
      .map((diagnostic) => overrideInsertion(ts, sourceFile, declarationAt(ts, sourceFile, diagnostic.start)))
      .sort((a, b) => b.position - a.position);
    let fixed = text;
    for (const { position, text: modifier } of insertions) fixed = fixed.slice(0, position) + modifier + fixed.slice(position);
    result.set(relative(bindingsDir, absolutePath), fixed);
  }
  return result;
}

async function driftedFiles(files, committedDir) {
  const committed = await listFiles(committedDir);
  const drifted = committed.filter((path) => !files.has(path)).map((path) => `${path} (should not exist)`);
  for (const [path, text] of files) {
    const current = await readFile(join(committedDir, path), "utf8").catch(() => undefined);
    if (current === undefined) drifted.push(`${path} (missing)`);
    else if (current !== text) drifted.push(`${path} (differs)`);
  }
  return drifted;
}

async function writeBindings(files) {
  await rm(bindingsDir, { recursive: true, force: true });
  for (const [path, text] of files) {
    await mkdir(dirname(join(bindingsDir, path)), { recursive: true });
    await writeFile(join(bindingsDir, path), text);
  }
}

async function main(argv) {
  const options = parseArguments(argv);
  const work = await mkdtemp(join(tmpdir(), "keyward-bindings-"));
  try {
    const schema = options.schema ? JSON.parse(await readFile(options.schema, "utf8")) : await readProviderSchema(work);
    if (options.saveSchema) await writeFile(options.saveSchema, `${JSON.stringify(schema, null, 2)}\n`);
    const files = await generateBindings(schema, work);
    if (!options.check) {
      await writeBindings(files);
      console.error(`wrote ${files.size} files to ${relative(repoRoot, bindingsDir)}`);
      return;
    }
    const drifted = await driftedFiles(files, options.against);
    if (drifted.length === 0) return;
    throw new Error(
      `The CDKTF bindings in ${relative(repoRoot, options.against)} do not match the provider's schema:\n  ${drifted.join("\n  ")}\n` +
        `Run ${regenerateCommand} and commit the result.`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error.message);
  process.exit(1);
});
