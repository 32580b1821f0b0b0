// The release files (SPEC §17, "installable for real"): `node scripts/release-artifacts.mjs [--out DIR]`
// (default `release/`, gitignored). Writes, in the registry release layout that
// `keyward provider install --from DIR` and Terraform's mirrors consume:
//   terraform-provider-keyward_<v>_<os>_<arch>.zip   one entry, terraform-provider-keyward_v<v> (0755),
//                                                    a Node single-executable application: no node needed
//   terraform-provider-keyward_<v>_SHA256SUMS        `<sha256>  <file>` for each zip and the manifest
//   terraform-provider-keyward_<v>_manifest.json     the plugin protocol versions, as HashiCorp's releases
// and the npm tarball of each publishable workspace package (`npm pack`). The executable is built
// for the machine that runs this script; run it on each OS/arch to release for it.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import postject from "postject";
import yazl from "yazl";
import { buildOptions } from "./build.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const NAME = "terraform-provider-keyward";
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
/** terraform-plugin-go's protocol: the provider speaks tfprotov6 only. */
const MANIFEST = { version: 1, metadata: { protocol_versions: ["6.0"] } };

/** Terraform's names for Node's: `x64` → `amd64`, `ia32` → `386`. */
function terraformPlatform(platform = process.platform, arch = process.arch) {
  return `${platform}_${{ x64: "amd64", ia32: "386" }[arch] ?? arch}`;
}

function run(command, args, options = {}) {
  return execFileSync(command, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", ...options });
}

/** The provider bundled whole, as `npm run build` bundles it, without the `#!` line a SEA main must not have. */
async function bundleProvider(outfile) {
  const [executable] = await buildOptions("provider");
  await esbuild.build({ ...executable, banner: {}, outfile });
}

/**
 * A Node single-executable application: a copy of this Node with the bundle's blob injected
 * (https://nodejs.org/api/single-executable-applications.html).
 */
export async function singleExecutable(work, target) {
  const main = join(work, "provider.cjs");
  const blob = join(work, "provider.blob");
  const config = join(work, "sea-config.json");
  await bundleProvider(main);
  // The code cache makes the start a deserialisation instead of a parse; the warning would go to
  // stderr, which Terraform logs as the provider's.
  await writeFile(config, JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }));
  run(process.execPath, ["--experimental-sea-config", config], { stdio: ["ignore", "ignore", "inherit"] });
  await copyFile(process.execPath, target);
  await chmod(target, 0o755);
  if (process.platform === "darwin") run("codesign", ["--remove-signature", target]);
  await postject.inject(target, "NODE_SEA_BLOB", await readFile(blob), {
    sentinelFuse: SEA_FUSE,
    ...(process.platform === "darwin" ? { machoSegmentName: "NODE_SEA" } : {}),
  });
  if (process.platform === "darwin") run("codesign", ["--sign", "-", target]);
}

/** A zip whose one entry keeps mode 0755: Terraform unpacks it as it is and then runs it. */
async function zipExecutable(executable, entryName, zipFile) {
  const zip = new yazl.ZipFile();
  zip.addFile(executable, entryName, { mode: 0o100755, compress: true });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(zipFile));
}

async function sha256(file) {
  return createHash("sha256").update(await readFile(file)).digest("hex");
}

/** The workspace packages meant for the registry: every workspace not marked private. */
async function publishablePackages() {
  const { workspaces } = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
  const manifests = await Promise.all(workspaces.map(async (dir) => ({ dir, manifest: JSON.parse(await readFile(join(root, dir, "package.json"), "utf8")) })));
  return manifests.filter(({ manifest }) => !manifest.private).map(({ dir }) => dir);
}

export async function releaseArtifacts({ out = join(root, "release"), packages = true } = {}) {
  const version = JSON.parse(await readFile(join(root, "packages/provider/package.json"), "utf8")).version;
  const outDir = resolve(out);
  await mkdir(outDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), "keyward-release-"));
  try {
    const executable = join(work, `${NAME}_v${version}`);
    await singleExecutable(work, executable);
    const zipName = `${NAME}_${version}_${terraformPlatform()}.zip`;
    await zipExecutable(executable, `${NAME}_v${version}`, join(outDir, zipName));
    const manifestName = `${NAME}_${version}_manifest.json`;
    await writeFile(join(outDir, manifestName), `${JSON.stringify(MANIFEST, null, 2)}\n`);
    // Every zip of this version in the directory (a release gathers one per platform), and the manifest.
    const summed = (await readdir(outDir)).filter((file) => file.startsWith(`${NAME}_${version}_`) && file.endsWith(".zip")).concat(manifestName).sort();
    const lines = await Promise.all(summed.map(async (file) => `${await sha256(join(outDir, file))}  ${file}\n`));
    await writeFile(join(outDir, `${NAME}_${version}_SHA256SUMS`), lines.join(""));
    const tarballs = [];
    if (packages) {
      // The libraries' dist/ (the action's is committed and stays as it is) and the scanner's module/.
      run(process.execPath, [join(root, "scripts/build.mjs"), "--except", "action"], { stdio: ["ignore", "inherit", "inherit"] });
      for (const dir of await publishablePackages()) {
        const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", outDir, "--workspace", dir], { stdio: ["ignore", "pipe", "ignore"] }));
        tarballs.push(packed.filename);
      }
    }
    return { version, dir: outDir, zip: zipName, executableBytes: (await readFile(executable)).length, tarballs };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outFlag = args.indexOf("--out");
  const result = await releaseArtifacts({
    ...(outFlag >= 0 ? { out: args[outFlag + 1] } : {}),
    packages: !args.includes("--no-packages"),
  });
  console.log(`${result.dir}: ${result.zip} (executable ${(result.executableBytes / 1e6).toFixed(1)} MB), SHA256SUMS, manifest${result.tarballs.map((file) => `, ${file}`).join("")}`);
}
