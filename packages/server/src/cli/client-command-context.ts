import { Keyward, KeywardError } from "@keyward/client";
import type { Dispatcher } from "undici";
import { CliOutput } from "./cli-output";
import { CliUsageError } from "./cli-usage-error";

export const CLI_USER_AGENT = "keyward-cli/0.1.0";

/** What the client commands touch outside themselves; tests pass their own. */
export interface ClientCommandIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<string>;
  readonly setExitCode: (code: number) => void;
  /** Only tests set this, to talk to a fake service. */
  readonly dispatcher?: Dispatcher;
}

export const processIo: ClientCommandIo = {
  env: process.env,
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/** Exit codes: 0 success, 1 an error, 3 a verification that answered something other than VALID. */
export const EXIT_ERROR = 1;
export const EXIT_NOT_VALID = 3;

/**
 * Shared by every client command: the output, the client (built on first use from `KEYWARD_URL`
 * and `KEYWARD_TOKEN`, so `--help` works without them) and the one place errors are reported.
 * The token is read from the environment only: a process argument would show in `ps`.
 */
export class ClientCommandContext {
  readonly output: CliOutput;
  readonly io: ClientCommandIo;
  #client: Keyward | undefined;

  constructor(io: ClientCommandIo) {
    this.io = io;
    this.output = new CliOutput(io.stdout, io.stderr);
  }

  get client(): Keyward {
    this.#client ??= this.#connect();
    return this.#client;
  }

  #connect(): Keyward {
    try {
      return Keyward.fromEnvironment(this.io.env, { userAgent: CLI_USER_AGENT, ...(this.io.dispatcher ? { dispatcher: this.io.dispatcher } : {}) });
    } catch (error) {
      throw new CliUsageError((error as Error).message);
    }
  }

  /** Wraps a command's action: any failure becomes a message on stderr and a non-zero exit. */
  action<A extends unknown[]>(run: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
    return async (...args: A) => {
      try {
        await run(...args);
      } catch (error) {
        this.report(error);
        this.io.setExitCode(EXIT_ERROR);
      }
    };
  }

  report(error: unknown): void {
    if (error instanceof KeywardError) {
      const where = [error.code, error.requestId ? `request ${error.requestId}` : undefined].filter(Boolean).join(", ");
      this.output.notice(`keyward: ${error.message} (${where})`);
      for (const issue of error.issues) this.output.notice(`  ${issue.field}: ${issue.message}`);
      return;
    }
    if (error instanceof CliUsageError) {
      this.output.notice(`keyward: ${error.message}`);
      return;
    }
    // Not ours to describe in detail: a stack could hold anything, so only the message.
    this.output.notice(`keyward: unexpected failure: ${(error as Error)?.message ?? String(error)}`);
  }
}

/** Collects a repeatable option (`--scope a --scope b`) into a list. */
export function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
