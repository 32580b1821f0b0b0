import { chmod, copyFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { version } from "../package.json";

/**
 * Installs the built provider where `terraform init` finds it with no network (SPEC §6): the
 * unpacked filesystem-mirror layout
 * `DIR/registry.terraform.io/keyward/keyward/<version>/<os>_<arch>/terraform-provider-keyward_v<version>`.
 * With the default DIR (`~/.terraform.d/plugins`, Terraform's implied mirror) nothing else is
 * needed; another DIR goes into a `filesystem_mirror` block of the CLI configuration.
 */
export interface InstallProviderOptions {
  /** Plugin directory. @default ~/.terraform.d/plugins */
  readonly dir?: string;
  /** The built executable. @default this package's dist/terraform-provider-keyward.js */
  readonly executable?: string;
  readonly platform?: NodeJS.Platform;
  readonly arch?: string;
}

export interface InstalledProvider {
  readonly path: string;
  readonly version: string;
  readonly source: "registry.terraform.io/keyward/keyward";
}

export const PROVIDER_VERSION = version;

/** Terraform's names for Node's: `x64` → `amd64`, `ia32` → `386`. */
export function terraformPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const architecture = ({ x64: "amd64", ia32: "386" } as Record<string, string>)[arch] ?? arch;
  return `${platform}_${architecture}`;
}

/** Terraform's implied local mirror, searched with no CLI configuration at all. */
export function defaultPluginDirectory(home: string = homedir()): string {
  return join(home, ".terraform.d", "plugins");
}

/** The built executable of this package (run `npm run build` first). */
export function builtExecutable(): string {
  const manifest = createRequire(import.meta.url).resolve("@keyward/provider/package.json");
  return join(dirname(manifest), "dist", "terraform-provider-keyward.js");
}

export async function installProvider(options: InstallProviderOptions = {}): Promise<InstalledProvider> {
  const source = options.executable ?? builtExecutable();
  const directory = join(
    options.dir ?? defaultPluginDirectory(),
    "registry.terraform.io",
    "keyward",
    "keyward",
    version,
    terraformPlatform(options.platform, options.arch),
  );
  const path = join(directory, `terraform-provider-keyward_v${version}`);
  await mkdir(directory, { recursive: true });
  try {
    await copyFile(source, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`The provider is not built: ${source} does not exist. Run \`npm run build\` first.`);
    }
    throw error;
  }
  await chmod(path, 0o755);
  return { path, version, source: "registry.terraform.io/keyward/keyward" };
}
