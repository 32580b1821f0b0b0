import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The built `keyward` command, as a user runs it (`npm test` builds it first). */
const bin = fileURLToPath(new URL("../bin/keyward.js", import.meta.url));
const dist = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

/** This process's environment without any KEYWARD_ variable, so only what a test sets applies. */
export const cleanEnv = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("KEYWARD_")));

function assertBuilt(): void {
  if (!existsSync(dist)) throw new Error("packages/server/dist/cli.js is missing: run `npm run build` (npm test does) first");
}

/** `keyward …args`, to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  assertBuilt();
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

export interface ServingCli {
  child: ChildProcess;
  url: string;
  /** Lines printed on stdout so far (the root token, on the first start of a data directory). */
  stdout: string[];
  exited: Promise<number | null>;
}

/** `keyward serve` on a free port in `dataDir`; resolves once it logs that it listens. */
export function serveCli(dataDir: string, env: NodeJS.ProcessEnv): Promise<ServingCli> {
  assertBuilt();
  const child = spawn(process.execPath, [bin, "serve", "--data-dir", dataDir, "--port", "0"], { env, stdio: ["ignore", "pipe", "pipe"] });
  const stdout: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => stdout.push(line));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) => {
      const entry = JSON.parse(line) as { msg: string; url?: string };
      if (entry.msg === "keyward listening" && entry.url) resolve({ child, url: entry.url, stdout, exited });
    });
    exited.then((code) => reject(new Error(`keyward serve exited with ${code}`)));
  });
}
