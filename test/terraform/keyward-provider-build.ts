import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { version } from "../../packages/provider/package.json";
import { installExecutable, type InstalledProvider } from "../../packages/server/src/cli/provider-installation";
import { bundleProviderExecutable } from "./provider-executable";

/**
 * terraform-provider-keyward built from source the way `npm run build` builds it, so the
 * end-to-end tests run the code under test even when `dist/` is stale.
 */
const providerSource = fileURLToPath(new URL("../../packages/provider/src", import.meta.url));

export async function keywardProviderExecutable(dir: string): Promise<string> {
  return bundleProviderExecutable({ source: `import "./main";\n`, resolveDir: providerSource, outfile: join(dir, "terraform-provider-keyward.js") });
}

/** Installs a built provider executable into a plugin directory, as `keyward provider install` does. */
export async function installKeywardProvider(options: { dir: string; executable: string }): Promise<InstalledProvider> {
  return installExecutable({ ...options, version });
}
