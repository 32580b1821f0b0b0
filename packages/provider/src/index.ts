// @keyward/provider as a package: where its executable is, so that `keyward provider install`
// (or any installer) can copy it into a Terraform plugin directory without loading the provider.
import { fileURLToPath } from "node:url";
import { version } from "../package.json";

/** The provider's version, as Terraform's `required_providers` names it. */
export const PROVIDER_VERSION: string = version;

/** The self-contained provider executable (CommonJS, `#!/usr/bin/env node`) in this package's dist/. */
export const PROVIDER_EXECUTABLE: string = fileURLToPath(new URL("./terraform-provider-keyward.js", import.meta.url));
