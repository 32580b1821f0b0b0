// Writes packages/provider/docs/ from the provider schema and examples/terraform/.
// `node packages/provider/scripts/generate-docs.mjs` (the drift test in src/docs says when to).
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const bundle = join(root, "packages/provider/dist/docs-generator.mjs");
await esbuild.build({
  entryPoints: [join(root, "packages/provider/src/docs/registry-docs-files.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outfile: bundle,
  logLevel: "warning",
  banner: { js: 'import { createRequire as __docsRequire } from "node:module"; const require = __docsRequire(import.meta.url);' },
  // import.meta.url must point into src/docs so the paths inside resolve as in the source.
  define: { "import.meta.url": JSON.stringify(pathToFileURL(join(root, "packages/provider/src/docs/registry-docs-files.ts")).href) },
});
const { expectedDocs, DOCS_DIR } = await import(pathToFileURL(bundle).href);
await rm(DOCS_DIR, { recursive: true, force: true });
for (const [path, content] of expectedDocs()) {
  await mkdir(dirname(join(DOCS_DIR, path)), { recursive: true });
  await writeFile(join(DOCS_DIR, path), content);
  console.log(`wrote docs/${path}`);
}
await rm(bundle, { force: true });
