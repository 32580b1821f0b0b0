import { defaultPluginDirectory, installProvider } from "@keyward/provider/install";
import type { Command } from "commander";

/**
 * `keyward provider install [--dir DIR]` (SPEC §6): puts the built provider where `terraform init`
 * finds it with no network. The default directory is Terraform's implied local mirror, so no CLI
 * configuration is needed; another DIR goes into a `filesystem_mirror` block.
 */
export function registerProviderCommand(program: Command): void {
  const provider = program.command("provider").description("The Terraform provider (terraform-provider-keyward)");
  provider
    .command("install")
    .description("install the built provider into a local plugin directory for offline `terraform init`")
    .option("--dir <dir>", "plugin directory", defaultPluginDirectory())
    .action(async (flags: { dir: string }) => {
      const installed = await installProvider({ dir: flags.dir });
      process.stdout.write(`${installed.path}\n`);
      process.stderr.write(`installed ${installed.source} ${installed.version}; use it with: required_providers { keyward = { source = "keyward/keyward" } }\n`);
    });
}
