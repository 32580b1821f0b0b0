import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { installProvider, PROVIDER_VERSION, terraformPlatform } from "./installProvider";

const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "keyward-install-"));
  made.push(dir);
  return dir;
}

describe("installProvider", () => {
  it("copies the executable into the unpacked filesystem-mirror layout Terraform expects", async () => {
    const dir = await tempDir();
    const executable = join(dir, "built.js");
    await writeFile(executable, "#!/usr/bin/env node\n");
    const installed = await installProvider({ dir: join(dir, "plugins"), executable, platform: "linux", arch: "x64" });
    expect(installed.path).toBe(
      join(dir, "plugins", "registry.terraform.io", "keyward", "keyward", PROVIDER_VERSION, "linux_amd64", `terraform-provider-keyward_v${PROVIDER_VERSION}`),
    );
    expect(await readFile(installed.path, "utf8")).toBe("#!/usr/bin/env node\n");
    expect((await stat(installed.path)).mode & 0o111).toBe(0o111);
  });

  it("says to build first when there is nothing to install", async () => {
    const dir = await tempDir();
    await expect(installProvider({ dir, executable: join(dir, "missing.js") })).rejects.toThrow("Run `npm run build` first.");
  });

  it("names platforms as Terraform does", () => {
    expect(terraformPlatform("darwin", "arm64")).toBe("darwin_arm64");
    expect(terraformPlatform("linux", "ia32")).toBe("linux_386");
  });
});
