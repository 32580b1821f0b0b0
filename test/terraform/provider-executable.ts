import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

/**
 * Bundles a provider entry (TypeScript source text that calls `servePlugin`) into a
 * `#!/usr/bin/env node` executable, the way `scripts/build.mjs` builds the real provider, so
 * protocol tests can hand Terraform providers defined in test files.
 */
const root = fileURLToPath(new URL("../..", import.meta.url));

export async function bundleProviderExecutable(options: { source: string; resolveDir: string; outfile: string }): Promise<string> {
  await mkdir(dirname(options.outfile), { recursive: true });
  await esbuild.build({
    stdin: { contents: options.source, resolveDir: options.resolveDir, loader: "ts", sourcefile: "provider-entry.ts" },
    bundle: true,
    platform: "node",
    // CommonJS: Terraform runs `terraform-provider-x_v1.2.3`, and Node refuses ESM from a file
    // whose name ends in an unknown extension such as `.3`.
    format: "cjs",
    target: "node20",
    outfile: options.outfile,
    absWorkingDir: root,
    logLevel: "warning",
    banner: { js: "#!/usr/bin/env node" },
  });
  return options.outfile;
}
