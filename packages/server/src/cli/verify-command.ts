import type { Command } from "commander";
import { type ClientCommandContext, EXIT_NOT_VALID, repeatable } from "./client-command-context";
import { CliUsageError } from "./cli-usage-error";

/**
 * `keyward verify [KEY] [--scope S]`. The key is an argument as SPEC §4 names it, but an argument is
 * visible to every user of the machine (`ps`), so `-` or no argument reads it from stdin instead.
 */
export function registerVerifyCommand(program: Command, context: ClientCommandContext): void {
  const { output } = context;
  program
    .command("verify")
    .argument("[key]", "the API key; '-' or nothing reads it from stdin")
    .description("Verify an API key; exits 0 when it is VALID and 3 otherwise")
    .option("--scope <scope>", "require this scope (repeat for more)", repeatable)
    .option("--ip <address>", "the caller's IP address, checked against the key's allowlist")
    .option("--json", "print JSON")
    .action(
      context.action(async (argument: string | undefined, flags: { scope?: string[]; ip?: string; json?: boolean }) => {
        const key = argument === undefined || argument === "-" ? (await context.io.readStdin()).trim() : argument;
        if (key === "") throw new CliUsageError("No key given. Pass it as an argument or on stdin.");
        const result = await context.client.verify({
          key,
          ...(flags.scope !== undefined && { scopes: flags.scope }),
          ...(flags.ip !== undefined && { ip: flags.ip }),
        });
        if (flags.json) output.json(result);
        else
          output.record([
            ["valid", result.valid],
            ["code", result.code],
            ["key", result.key?.id],
            ["name", result.key?.name],
            ["project", result.key?.project],
            ["environment", result.key?.environment],
            ["scopes", result.key?.scopes],
            ["expires_at", result.key?.expires_at],
            ...(result.ratelimit ? ([["rate limit remaining", `${result.ratelimit.remaining}/${result.ratelimit.limit}`]] as const) : []),
          ]);
        if (!result.valid) context.io.setExitCode(EXIT_NOT_VALID);
      }),
    );
}
