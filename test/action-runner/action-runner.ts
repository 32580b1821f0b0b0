import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { StepOutput } from "../leak-scanner/leak-scanner";

/**
 * Runs the committed action bundle the way the GitHub runner does (actions/runner NodeHandler):
 * `node dist/index.js` with inputs as `INPUT_<NAME>` variables, fresh files for the `GITHUB_*`
 * file commands, the event payload in a file, and `GITHUB_API_URL` pointing at an emulator.
 * Debug logging is on by default, as anyone with write access can turn it on for a re-run.
 */

export const ACTION_BUNDLE = fileURLToPath(new URL("../../packages/action/dist/index.js", import.meta.url));
const ACTION_METADATA = new URL("../../packages/action/action.yml", import.meta.url);

const FILE_COMMANDS = ["GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STATE", "GITHUB_STEP_SUMMARY", "GITHUB_PATH"] as const;

export interface ActionRunOptions {
  /** By action.yml name: `{ mode: "rotate", "keyward-url": … }`. */
  readonly inputs: Readonly<Record<string, string>>;
  /** `GITHUB_API_URL`. */
  readonly githubApiUrl: string;
  /** @default "acme/api" */
  readonly repository?: string;
  /** @default "schedule" */
  readonly eventName?: string;
  /** The webhook payload at `GITHUB_EVENT_PATH`. @default {} */
  readonly event?: unknown;
  /** `RUNNER_DEBUG=1` and `ACTIONS_STEP_DEBUG=true`. @default true */
  readonly debug?: boolean;
  /** More runner variables, e.g. `ACTIONS_ID_TOKEN_REQUEST_URL` and `_TOKEN` for a job with `id-token: write`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Kills the action after this long; a hung run fails its test instead of the suite. @default 60000 */
  readonly timeoutMs?: number;
  /** Another bundle and its action.yml, e.g. the ones of a pinned commit. @default this checkout's */
  readonly action?: { readonly bundle: string; readonly metadata: string };
}

export interface ActionRun extends StepOutput {
  readonly exitCode: number | null;
  /** Parsed from `GITHUB_OUTPUT`. */
  readonly outputs: Readonly<Record<string, string>>;
  /** The process arguments, which the runner's process list shows to anyone on the machine. */
  readonly argv: readonly string[];
  /** Every environment variable the step received, inputs included. */
  readonly env: Readonly<Record<string, string>>;
}

/** The runner's rule for input variable names: upper-case, spaces to `_`, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}

export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), "keyward-action-run-"));
  try {
    const files = Object.fromEntries(FILE_COMMANDS.map((name) => [name, join(dir, name.toLowerCase())])) as Record<(typeof FILE_COMMANDS)[number], string>;
    await Promise.all(Object.values(files).map((path) => writeFile(path, "")));
    const eventPath = join(dir, "event.json");
    await writeFile(eventPath, JSON.stringify(options.event ?? {}));
    const env = stepEnvironment(options, inputDefaults(options.action?.metadata ?? (await readFile(ACTION_METADATA, "utf8"))), dir, files, eventPath);
    const argv = [process.execPath, options.action?.bundle ?? ACTION_BUNDLE];
    const { exitCode, stdout, stderr } = await spawnStep(argv, env, dir, options.timeoutMs ?? 60_000);
    const contents = Object.fromEntries(await Promise.all(FILE_COMMANDS.map(async (name) => [name, await readFile(files[name], "utf8")] as const)));
    return { exitCode, stdout, stderr, files: contents, outputs: parseFileCommand(contents.GITHUB_OUTPUT ?? ""), argv, env };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The runner sets every input that has a `default` in action.yml and was not given. */
function inputDefaults(text: string): Record<string, string> {
  const metadata = parse(text) as { inputs: Record<string, { default?: unknown }> };
  return Object.fromEntries(
    Object.entries(metadata.inputs)
      .filter(([, input]) => input.default !== undefined)
      .map(([name, input]) => [name, String(input.default)]),
  );
}

function stepEnvironment(options: ActionRunOptions, defaults: Record<string, string>, dir: string, files: Record<string, string>, eventPath: string): Record<string, string> {
  const debug = options.debug ?? true;
  const given = { ...defaults, ...options.inputs };
  const inputs = Object.fromEntries(Object.entries(given).map(([name, value]) => [inputVariable(name), value]));
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_API_URL: options.githubApiUrl,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_GRAPHQL_URL: `${options.githubApiUrl}/graphql`,
    GITHUB_REPOSITORY: options.repository ?? "acme/api",
    GITHUB_REPOSITORY_OWNER: (options.repository ?? "acme/api").split("/")[0]!,
    GITHUB_EVENT_NAME: options.eventName ?? "schedule",
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKFLOW: "Rotate Keyward keys",
    GITHUB_RUN_ID: "4242",
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
    GITHUB_REF: "refs/heads/main",
    GITHUB_WORKSPACE: dir,
    RUNNER_TEMP: dir,
    RUNNER_OS: "Linux",
    ...(debug ? { RUNNER_DEBUG: "1", ACTIONS_STEP_DEBUG: "true" } : {}),
    ...files,
    ...options.env,
    ...inputs,
  };
}

async function spawnStep(argv: string[], env: Record<string, string>, cwd: string, timeoutMs: number) {
  const child = spawn(argv[0]!, argv.slice(1), { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code));
  }).finally(() => clearTimeout(timer));
  return { exitCode, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") };
}

/** `name<<delimiter` … `delimiter` blocks, and plain `name=value` lines (@actions/core file commands). */
export function parseFileCommand(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, index + 1);
      values[heredoc[1]!] = lines.slice(index + 1, end).join("\n");
      index = end;
      continue;
    }
    const assignment = /^([^=]+)=(.*)$/.exec(line);
    if (assignment) values[assignment[1]!] = assignment[2]!;
  }
  return values;
}
