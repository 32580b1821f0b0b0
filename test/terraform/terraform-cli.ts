import { spawn, spawnSync, type ChildProcess } from "node:child_process";

/**
 * The real `terraform` binary, found on PATH. Tests fail (never skip) without it, saying what to
 * install.
 */
export const SUPPORTED_TERRAFORM = "1.11";

export function terraformPath(environment: NodeJS.ProcessEnv = process.env): string {
  const found = spawnSync("terraform", ["version", "-json"], { env: { ...environment, CHECKPOINT_DISABLE: "1" }, encoding: "utf8" });
  if (found.error || found.status !== 0) {
    throw new Error(
      `The terraform CLI (${SUPPORTED_TERRAFORM}.x) is required on PATH for these tests: install it (e.g. the terraform_${SUPPORTED_TERRAFORM}.4_linux_amd64.zip release) into /usr/local/bin.`,
    );
  }
  return "terraform";
}

export interface TerraformResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningTerraform {
  readonly child: ChildProcess;
  readonly result: Promise<TerraformResult>;
}

/** `detached` puts terraform in its own process group, so a test can Ctrl-C it as a terminal would. */
export function startTerraform(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; detached?: boolean }): RunningTerraform {
  const child = spawn(terraformPath(options.env), args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached ?? false,
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
  const result = new Promise<TerraformResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      }),
    );
  });
  return { child, result };
}
