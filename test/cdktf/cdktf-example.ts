import { spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const exampleDir = join(repoRoot, "examples/cdktf");
export const STACK = "billing-keys";

export interface SynthResult {
  readonly exitCode: number;
  readonly output: string;
  /** The directory holding the stack's cdk.tf.json, where terraform runs. */
  readonly stackDir: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ exitCode: code ?? 1, output: Buffer.concat(chunks).toString("utf8") }));
  });
}

/**
 * A private copy of `examples/cdktf` that a test may edit (e.g. change a rotation schedule in the
 * TypeScript) and synthesize with the same `tsx main.ts` as the example's `npm run synth`. It lives in
 * a temporary directory that sees the repository's node_modules and tsconfig, as the example does.
 */
export class CdktfExample {
  private constructor(readonly dir: string) {}

  static async copy(): Promise<CdktfExample> {
    const dir = await mkdtemp(join(tmpdir(), "keyward-cdktf-example-"));
    for (const file of ["main.ts", "billing-keys-stack.ts", "package.json", "cdktf.json"]) await cp(join(exampleDir, file), join(dir, file));
    await symlink(join(repoRoot, "node_modules"), join(dir, "node_modules"), "dir");
    await writeFile(join(dir, "tsconfig.json"), JSON.stringify({ extends: join(repoRoot, "tsconfig.json") }));
    return new CdktfExample(dir);
  }

  /** Replaces `from` (which must occur exactly once) with `to` in one of the example's files. */
  async edit(file: string, from: string, to: string): Promise<void> {
    const path = join(this.dir, file);
    const text = await readFile(path, "utf8");
    if (text.split(from).length !== 2) throw new Error(`${file} should contain '${from}' exactly once`);
    await writeFile(path, text.replace(from, to));
  }

  /** Synthesizes into `outdir` with the given environment (KEYWARD_URL, KEYWARD_TOKEN). */
  async synth(outdir: string, env: Record<string, string>): Promise<SynthResult> {
    const tsx = join(repoRoot, "node_modules/.bin/tsx");
    const { exitCode, output } = await run(tsx, ["main.ts"], this.dir, { ...process.env, ...env, CDKTF_OUTDIR: outdir });
    return { exitCode, output, stackDir: join(outdir, "stacks", STACK) };
  }

  /**
   * Rewrites the copy into a CDK Terrain app: the same stack, importing `cdktn` and `@keyward/cdktn`
   * where the example imports `cdktf` and `@keyward/cdktf` (the constructs' API is the same).
   */
  async useCdkTerrain(): Promise<void> {
    await this.edit("billing-keys-stack.ts", 'from "@keyward/cdktf";', 'from "@keyward/cdktn";');
    await this.edit("billing-keys-stack.ts", 'from "cdktf";', 'from "cdktn";');
    await this.edit("main.ts", 'from "cdktf";', 'from "cdktn";');
  }

  /** Runs a command (a CDK CLI) in the copy with exactly the given environment. */
  exec(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ exitCode: number; output: string }> {
    return run(command, args, this.dir, env);
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** `npm run synth` in examples/cdktf itself, exactly as its README says, into `outdir`. */
export async function synthesizeExample(outdir: string, env: Record<string, string>): Promise<SynthResult> {
  const { exitCode, output } = await run("npm", ["run", "--silent", "synth"], exampleDir, { ...process.env, ...env, CDKTF_OUTDIR: outdir });
  return { exitCode, output, stackDir: join(outdir, "stacks", STACK) };
}
