import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { defaultPluginDirectory, findProviderPackage, installExecutable, installRelease, type InstalledProvider } from "./provider-installation";

/**
 * `keyward provider install [--dir DIR] [--from RELEASE_DIR]` (SPEC §6, §17): puts the provider where
 * `terraform init` finds it with no network. The default directory is Terraform's implied local
 * mirror, so no CLI configuration is needed; another DIR goes into a `filesystem_mirror` block. The
 * provider comes from the release files in RELEASE_DIR, or else from a separately installed
 * `@keyward/provider`: the server itself does not carry it.
 */
export function registerProviderCommand(program: Command): void {
  const provider = program.command("provider").description("The Terraform provider (terraform-provider-keyward)");
  provider
    .command("install")
    .description("install the Terraform provider into a local plugin directory for offline `terraform init`")
    .option("--dir <dir>", "plugin directory", defaultPluginDirectory())
    .option("--from <release-dir>", "a directory with the provider's release files (terraform-provider-keyward_<version>_<os>_<arch>.zip and its SHA256SUMS); default: the installed @keyward/provider package")
    .action(async (flags: { dir: string; from?: string }) => {
      const installed = await install(flags);
      process.stdout.write(`${installed.path}\n`);
      process.stderr.write(`installed ${installed.source} ${installed.version}; use it with: required_providers { keyward = { source = "keyward/keyward" } }\n`);
    });
}

async function install(flags: { dir: string; from?: string }): Promise<InstalledProvider> {
  if (flags.from) return installRelease({ dir: flags.dir, from: flags.from });
  const found = await findProviderPackage([process.cwd(), fileURLToPath(new URL(".", import.meta.url))]);
  return installExecutable({ dir: flags.dir, executable: found.PROVIDER_EXECUTABLE, version: found.PROVIDER_VERSION });
}
