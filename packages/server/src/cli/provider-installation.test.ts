import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findProviderPackage, installExecutable, installRelease, terraformPlatform } from "./provider-installation";

const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "keyward-install-"));
  made.push(dir);
  return dir;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** A release directory as the release build lays it out: zips per platform and one SHA256SUMS. */
async function releaseDir(version: string, zips: Record<string, string>, sums: Record<string, string> = {}): Promise<string> {
  const dir = await tempDir();
  const lines = [];
  for (const [platform, content] of Object.entries(zips)) {
    const file = `terraform-provider-keyward_${version}_${platform}.zip`;
    await writeFile(join(dir, file), content);
    lines.push(`${sums[platform] ?? sha256(content)}  ${file}`);
  }
  await writeFile(join(dir, `terraform-provider-keyward_${version}_SHA256SUMS`), `${lines.join("\n")}\n`);
  return dir;
}

describe("installExecutable", () => {
  it("copies the executable into the unpacked filesystem-mirror layout Terraform expects", async () => {
    const dir = await tempDir();
    const executable = join(dir, "built.js");
    await writeFile(executable, "#!/usr/bin/env node\n");
    const installed = await installExecutable({ dir: join(dir, "plugins"), executable, version: "1.2.3", platform: "linux", arch: "x64" });
    expect(installed.path).toBe(join(dir, "plugins", "registry.terraform.io", "keyward", "keyward", "1.2.3", "linux_amd64", "terraform-provider-keyward_v1.2.3"));
    expect(await readFile(installed.path, "utf8")).toBe("#!/usr/bin/env node\n");
    expect((await stat(installed.path)).mode & 0o111).toBe(0o111);
  });

  it("says to build first when there is nothing to install", async () => {
    const dir = await tempDir();
    await expect(installExecutable({ dir, executable: join(dir, "missing.js"), version: "1.2.3" })).rejects.toThrow("build it with `npm run build` first.");
  });

  it("names platforms as Terraform does", () => {
    expect(terraformPlatform("darwin", "arm64")).toBe("darwin_arm64");
    expect(terraformPlatform("linux", "ia32")).toBe("linux_386");
  });
});

describe("installRelease", () => {
  it("copies this platform's checked zip into the packed mirror layout", async () => {
    const from = await releaseDir("0.2.0", { linux_amd64: "linux zip", darwin_arm64: "mac zip" });
    const dir = await tempDir();
    const installed = await installRelease({ dir, from, platform: "linux", arch: "x64" });
    expect(installed).toEqual({
      path: join(dir, "registry.terraform.io", "keyward", "keyward", "terraform-provider-keyward_0.2.0_linux_amd64.zip"),
      version: "0.2.0",
      source: "registry.terraform.io/keyward/keyward",
    });
    expect(await readFile(installed.path, "utf8")).toBe("linux zip");
  });

  it("takes the newest version when the directory holds several", async () => {
    const from = await releaseDir("0.9.0", { linux_amd64: "old" });
    await writeFile(join(from, "terraform-provider-keyward_0.10.0_linux_amd64.zip"), "new");
    await writeFile(join(from, "terraform-provider-keyward_0.10.0_SHA256SUMS"), `${sha256("new")}  terraform-provider-keyward_0.10.0_linux_amd64.zip\n`);
    const installed = await installRelease({ dir: await tempDir(), from, platform: "linux", arch: "x64" });
    expect(installed.version).toBe("0.10.0");
  });

  it("refuses a zip that does not match its checksum, and installs nothing", async () => {
    const from = await releaseDir("0.2.0", { linux_amd64: "tampered" }, { linux_amd64: sha256("original") });
    const dir = await tempDir();
    await expect(installRelease({ dir, from, platform: "linux", arch: "x64" })).rejects.toThrow(
      "terraform-provider-keyward_0.2.0_linux_amd64.zip does not match its checksum in terraform-provider-keyward_0.2.0_SHA256SUMS",
    );
    await expect(stat(join(dir, "registry.terraform.io"))).rejects.toThrow();
  });

  it("refuses a zip with no SHA256SUMS beside it", async () => {
    const from = await tempDir();
    await writeFile(join(from, "terraform-provider-keyward_0.2.0_linux_amd64.zip"), "zip");
    await expect(installRelease({ dir: await tempDir(), from, platform: "linux", arch: "x64" })).rejects.toThrow("no terraform-provider-keyward_0.2.0_SHA256SUMS");
  });

  it("names the file it expected when there is no release for this platform", async () => {
    const from = await releaseDir("0.2.0", { darwin_arm64: "mac zip" });
    await expect(installRelease({ dir: await tempDir(), from, platform: "linux", arch: "arm64" })).rejects.toThrow(
      "holds no release for linux_arm64: expected a file named terraform-provider-keyward_<version>_linux_arm64.zip",
    );
  });
});

describe("findProviderPackage", () => {
  it("finds a @keyward/provider installed in a project, and what it exports", async () => {
    const project = await tempDir();
    const pkg = join(project, "node_modules", "@keyward", "provider");
    await mkdir(pkg, { recursive: true });
    await writeFile(join(pkg, "package.json"), JSON.stringify({ name: "@keyward/provider", type: "module", exports: { ".": "./index.js" } }));
    await writeFile(join(pkg, "index.js"), 'export const PROVIDER_EXECUTABLE = "/opt/provider.js"; export const PROVIDER_VERSION = "0.3.0";\n');
    await expect(findProviderPackage([await tempDir(), project])).resolves.toEqual({ PROVIDER_EXECUTABLE: "/opt/provider.js", PROVIDER_VERSION: "0.3.0" });
  });

  it("says how to get the provider when it is installed nowhere", async () => {
    await expect(findProviderPackage([await tempDir()])).rejects.toThrow(/install it beside keyward \(`npm install @keyward\/provider`\), or pass --from DIR/);
  });
});
