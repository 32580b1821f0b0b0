import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTerraform, type RunningTerraform, type TerraformResult } from "./terraform-cli";

/**
 * A throw-away Terraform working directory with its own CLI configuration (a filesystem mirror
 * holding the providers under test, nothing from the network) and its own environment. Every
 * test that runs terraform goes through one; `TF_CLI_CONFIG_FILE` always points at our file.
 */
export interface MirroredProvider {
  /** e.g. `keyward/keyward` or `keyward/toy`. */
  readonly source: string;
  readonly version: string;
  /** A built executable (`#!/usr/bin/env node` bundle). */
  readonly executable: string;
}

/** The Keyward provider from the local mirror, configured from the `keyward_url` and `keyward_token` variables every test sets. */
export const KEYWARD_PROVIDER_BLOCKS = `terraform {
  required_providers {
    keyward = { source = "keyward/keyward" }
  }
}
variable "keyward_url" { type = string }
variable "keyward_token" {
  type      = string
  sensitive = true
}
provider "keyward" {
  endpoint = var.keyward_url
  token    = var.keyward_token
}
`;

export const PLATFORM = `${process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;

export function mirrorPath(mirror: string, provider: Omit<MirroredProvider, "executable">): string {
  const [namespace, type] = provider.source.split("/");
  return join(mirror, "registry.terraform.io", namespace!, type!, provider.version, PLATFORM, `terraform-provider-${type}_v${provider.version}`);
}

export async function installIntoMirror(mirror: string, provider: MirroredProvider): Promise<string> {
  const target = mirrorPath(mirror, provider);
  await mkdir(join(target, ".."), { recursive: true });
  await copyFile(provider.executable, target);
  await chmod(target, 0o755);
  return target;
}

export function cliConfig(mirror: string): string {
  return `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/keyward/*"]\n  }\n}\n`;
}

export class TerraformWorkspace {
  /** Everything every run printed, stdout and stderr, for leak scans. */
  readonly transcript: string[] = [];

  private constructor(
    readonly root: string,
    readonly dir: string,
    readonly mirror: string,
    private readonly baseEnvironment: NodeJS.ProcessEnv,
  ) {}

  /** `cliConfig` replaces the mirror configuration, e.g. with "" to rely on the implied mirror. */
  static async create(options: { providers?: readonly MirroredProvider[]; env?: Record<string, string>; cliConfig?: string }): Promise<TerraformWorkspace> {
    const root = await mkdtemp(join(tmpdir(), "keyward-tf-"));
    const dir = join(root, "work");
    const mirror = join(root, "mirror");
    await mkdir(dir, { recursive: true });
    for (const provider of options.providers ?? []) await installIntoMirror(mirror, provider);
    const cliConfigFile = join(root, "terraform.rc");
    await writeFile(cliConfigFile, options.cliConfig ?? cliConfig(mirror));
    const environment: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.keys(environment)) if (name.startsWith("TF_") || name.startsWith("KEYWARD_")) delete environment[name];
    Object.assign(environment, {
      TF_CLI_CONFIG_FILE: cliConfigFile,
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CHECKPOINT_DISABLE: "1",
      NO_COLOR: "1",
      ...options.env,
    });
    return new TerraformWorkspace(root, dir, mirror, environment);
  }

  get environment(): NodeJS.ProcessEnv {
    return this.baseEnvironment;
  }

  async writeFile(name: string, content: string): Promise<void> {
    await writeFile(join(this.dir, name), content);
  }

  async readFile(name: string): Promise<string> {
    return readFile(join(this.dir, name), "utf8");
  }

  /** Copies every `.tf` file of `source` (e.g. an example) into the working directory. */
  async copyConfiguration(source: string): Promise<void> {
    for (const file of await readdir(source)) if (file.endsWith(".tf")) await copyFile(join(source, file), join(this.dir, file));
  }

  async removeFile(name: string): Promise<void> {
    await rm(join(this.dir, name), { force: true });
  }

  start(args: readonly string[], env: Record<string, string> = {}, detached = false): RunningTerraform {
    return startTerraform(args, { cwd: this.dir, env: { ...this.baseEnvironment, ...env }, detached });
  }

  /** Runs terraform; rejects with the whole output when the exit code is not an expected one. */
  async run(args: readonly string[], options: { env?: Record<string, string>; expectExit?: readonly number[] } = {}): Promise<TerraformResult> {
    const result = await this.start(args, options.env).result;
    this.transcript.push(`$ terraform ${args.join(" ")}\n${result.stdout}\n${result.stderr}`);
    const expected = options.expectExit ?? [0];
    if (!expected.includes(result.exitCode)) {
      throw new Error(`terraform ${args.join(" ")} exited ${result.exitCode} (expected ${expected.join(" or ")})\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
    }
    return result;
  }

  init(): Promise<TerraformResult> {
    return this.run(["init", "-no-color", "-input=false"]);
  }

  apply(extra: readonly string[] = []): Promise<TerraformResult> {
    return this.run(["apply", "-no-color", "-input=false", "-auto-approve", ...extra]);
  }

  /** `plan -detailed-exitcode`: 0 = no changes, 2 = changes. */
  plan(extra: readonly string[] = [], expectExit: readonly number[] = [0, 2]): Promise<TerraformResult> {
    return this.run(["plan", "-no-color", "-input=false", "-detailed-exitcode", ...extra], { expectExit });
  }

  destroy(): Promise<TerraformResult> {
    return this.run(["destroy", "-no-color", "-input=false", "-auto-approve"]);
  }

  /** Root module outputs, read from the state file: `terraform output` would print sensitive values. */
  async outputs(): Promise<Record<string, { value: unknown; sensitive: boolean }>> {
    const state = JSON.parse(await this.readFile("terraform.tfstate")) as { outputs: Record<string, { value: unknown; sensitive?: boolean }> };
    return Object.fromEntries(Object.entries(state.outputs).map(([name, output]) => [name, { value: output.value, sensitive: output.sensitive ?? false }]));
  }

  /** The attributes of one resource instance in `terraform.tfstate`, or undefined. */
  async stateAttributes(address: string): Promise<Record<string, unknown> | undefined> {
    const state = JSON.parse(await readFile(join(this.dir, "terraform.tfstate"), "utf8")) as {
      resources: { mode: string; type: string; name: string; instances: { attributes: Record<string, unknown> }[] }[];
    };
    const [type, name] = address.split(".");
    const resource = state.resources.find((entry) => entry.mode === "managed" && entry.type === type && entry.name === name);
    return resource?.instances[0]?.attributes;
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
