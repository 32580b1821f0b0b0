import { Command, CommanderError } from "commander";
import type { FakeKeyward } from "../../client/test/fake-keyward";
import { registerClientCommands } from "../src/cli/client-commands";

export interface CliRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** `keyward …args`, run in process against `fake()` (the fake service of the current test) with `token`. */
export function clientCliAgainst(fake: () => FakeKeyward, token: string) {
  return async function keyward(args: string[], options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<CliRun> {
    const run: CliRun = { stdout: "", stderr: "", exitCode: 0 };
    const program = new Command("keyward").exitOverride().configureOutput({ writeOut: (text) => void (run.stdout += text), writeErr: (text) => void (run.stderr += text) });
    registerClientCommands(program, {
      env: options.env ?? { KEYWARD_URL: fake().url, KEYWARD_TOKEN: token },
      stdout: (text) => void (run.stdout += text),
      stderr: (text) => void (run.stderr += text),
      readStdin: async () => options.stdin ?? "",
      setExitCode: (code) => void (run.exitCode = code),
      dispatcher: fake().agent,
    });
    try {
      await program.parseAsync(args, { from: "user" });
    } catch (error) {
      if (!(error instanceof CommanderError)) throw error;
      run.exitCode = error.exitCode;
    }
    return run;
  };
}
