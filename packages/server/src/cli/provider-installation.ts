import { createHash } from "node:crypto";
import { chmod, copyFile, mkdir, readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Puts terraform-provider-keyward where `terraform init` finds it with no network (SPEC §6, §17), in
 * one of Terraform's two filesystem-mirror layouts. The server does not depend on the provider
 * package (installing the server pulls no gRPC): the provider comes either from a directory of
 * release files (`terraform-provider-keyward_<v>_<os>_<arch>.zip` and `…_<v>_SHA256SUMS`, the
 * registry release layout) or from a separately installed `@keyward/provider`, found at run time.
 */
export const PROVIDER_SOURCE = "registry.terraform.io/keyward/keyward";
const PROVIDER_PACKAGE = "@keyward/provider";

export interface InstalledProvider {
  readonly path: string;
  readonly version: string;
  readonly source: typeof PROVIDER_SOURCE;
}

export interface ProviderTarget {
  /** Plugin directory. @default ~/.terraform.d/plugins */
  readonly dir?: string;
  readonly platform?: NodeJS.Platform;
  readonly arch?: string;
}

/** Terraform's names for Node's: `x64` → `amd64`, `ia32` → `386`. */
export function terraformPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const architecture = ({ x64: "amd64", ia32: "386" } as Record<string, string>)[arch] ?? arch;
  return `${platform}_${architecture}`;
}

/** Terraform's implied local mirror, searched with no CLI configuration at all. */
export function defaultPluginDirectory(home: string = homedir()): string {
  return join(home, ".terraform.d", "plugins");
}

function providerDirectory(target: ProviderTarget): string {
  return join(target.dir ?? defaultPluginDirectory(), ...PROVIDER_SOURCE.split("/"));
}

/**
 * The unpacked layout, for a provider executable:
 * `DIR/registry.terraform.io/keyward/keyward/<version>/<os>_<arch>/terraform-provider-keyward_v<version>`.
 */
export async function installExecutable(options: ProviderTarget & { readonly executable: string; readonly version: string }): Promise<InstalledProvider> {
  const directory = join(providerDirectory(options), options.version, terraformPlatform(options.platform, options.arch));
  const path = join(directory, `terraform-provider-keyward_v${options.version}`);
  await mkdir(directory, { recursive: true });
  try {
    await copyFile(options.executable, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`The provider executable ${options.executable} does not exist: build it with \`npm run build\` first.`);
    }
    throw error;
  }
  await chmod(path, 0o755);
  return { path, version: options.version, source: PROVIDER_SOURCE };
}

const RELEASE_ZIP = /^terraform-provider-keyward_(\d+)\.(\d+)\.(\d+)_([a-z0-9]+_[a-z0-9]+)\.zip$/;

/** The newest release zip for this platform in a release directory, by version number. */
async function releaseZip(from: string, platform: string): Promise<{ file: string; version: string }> {
  const entries = await readdir(from).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ENOTDIR") throw new Error(`--from '${from}' is not a directory: expected the provider's release files`);
    throw error;
  });
  const zips = entries
    .map((file) => ({ file, match: RELEASE_ZIP.exec(file) }))
    .filter(({ match }) => match?.[4] === platform)
    .map(({ file, match }) => ({ file, numbers: [1, 2, 3].map((group) => Number(match?.[group])) }))
    .sort((a, b) => b.numbers[0]! - a.numbers[0]! || b.numbers[1]! - a.numbers[1]! || b.numbers[2]! - a.numbers[2]!);
  const newest = zips[0];
  if (!newest) {
    throw new Error(`--from '${from}' holds no release for ${platform}: expected a file named terraform-provider-keyward_<version>_${platform}.zip`);
  }
  return { file: newest.file, version: newest.numbers.join(".") };
}

/** Checks a release zip against the release's `terraform-provider-keyward_<version>_SHA256SUMS`. */
async function verifyChecksum(from: string, file: string, version: string): Promise<void> {
  const sumsFile = `terraform-provider-keyward_${version}_SHA256SUMS`;
  const sums = await readFile(join(from, sumsFile), "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") throw new Error(`--from '${from}' has ${file} but no ${sumsFile} to check it against`);
    throw error;
  });
  const expected = sums
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .find(([, name]) => name === file)?.[0];
  if (!expected) throw new Error(`${sumsFile} lists no checksum for ${file}`);
  const actual = createHash("sha256").update(await readFile(join(from, file))).digest("hex");
  if (actual !== expected.toLowerCase()) throw new Error(`${file} does not match its checksum in ${sumsFile}: the download is damaged or not the release`);
}

/**
 * The packed layout, for a release directory: the zip, checked against the release's SHA256SUMS,
 * copied to `DIR/registry.terraform.io/keyward/keyward/terraform-provider-keyward_<v>_<os>_<arch>.zip`;
 * Terraform unpacks it itself.
 */
export async function installRelease(options: ProviderTarget & { readonly from: string }): Promise<InstalledProvider> {
  const { file, version } = await releaseZip(options.from, terraformPlatform(options.platform, options.arch));
  await verifyChecksum(options.from, file, version);
  const directory = providerDirectory(options);
  await mkdir(directory, { recursive: true });
  const path = join(directory, file);
  await copyFile(join(options.from, file), path);
  return { path, version, source: PROVIDER_SOURCE };
}

/** What a `@keyward/provider` package exports: its executable and version. */
interface ProviderPackage {
  readonly PROVIDER_EXECUTABLE: string;
  readonly PROVIDER_VERSION: string;
}

function resolveFrom(directory: string): string | undefined {
  try {
    return createRequire(join(directory, "package.json")).resolve(PROVIDER_PACKAGE);
  } catch {
    return undefined;
  }
}

/**
 * A separately installed `@keyward/provider`: in the project of `cwd`, else beside this CLI's own
 * installation (`npm install @keyward/server @keyward/provider`, or both installed globally).
 */
export async function findProviderPackage(searchFrom: readonly string[]): Promise<ProviderPackage> {
  const entry = searchFrom.map(resolveFrom).find((found) => found !== undefined);
  if (!entry) {
    throw new Error(
      `terraform-provider-keyward was not found: install it beside keyward (\`npm install ${PROVIDER_PACKAGE}\`), ` +
        "or pass --from DIR with its release files (terraform-provider-keyward_<version>_<os>_<arch>.zip and terraform-provider-keyward_<version>_SHA256SUMS)",
    );
  }
  const found = (await import(pathToFileURL(entry).href)) as Partial<ProviderPackage>;
  if (typeof found.PROVIDER_EXECUTABLE !== "string" || typeof found.PROVIDER_VERSION !== "string") {
    throw new Error(`${entry} is not a ${PROVIDER_PACKAGE} this keyward can install: expected it to export PROVIDER_EXECUTABLE and PROVIDER_VERSION`);
  }
  return { PROVIDER_EXECUTABLE: found.PROVIDER_EXECUTABLE, PROVIDER_VERSION: found.PROVIDER_VERSION };
}
