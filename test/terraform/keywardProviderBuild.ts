import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleProviderExecutable } from "./providerExecutable";

/**
 * terraform-provider-keyward built from source the way `npm run build` builds it, so the
 * end-to-end tests run the code under test even when `dist/` is stale.
 */
const providerSource = fileURLToPath(new URL("../../packages/provider/src", import.meta.url));

export async function keywardProviderExecutable(dir: string): Promise<string> {
  return bundleProviderExecutable({ source: `import "./main";\n`, resolveDir: providerSource, outfile: join(dir, "terraform-provider-keyward.js") });
}
