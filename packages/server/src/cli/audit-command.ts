import type { AuditEvent } from "@keyward/client";
import type { Command } from "commander";
import { type ClientCommandContext, EXIT_ERROR } from "./client-command-context";
import { CliUsageError } from "./cli-usage-error";

const head = ["SEQ", "TIME", "ACTION", "TARGET", "PROJECT", "ENV", "ACTOR", "SOURCE IP", "DETAILS"];
const rowOf = (event: AuditEvent) => [event.seq, event.time, event.action, event.target, event.project, event.environment, event.actor, event.source_ip, event.details];

/** `keyward audit list|verify`: the hash-chained audit log. */
export function registerAuditCommand(program: Command, context: ClientCommandContext): void {
  const audit = program.command("audit").description("Read and check the audit log");
  const { output } = context;

  audit
    .command("list")
    .description("List audit events, oldest first")
    .option("--project <project>", "only this project")
    .option("--action <action>", "only this action, e.g. key.rotate")
    .option("--since <time>", "only events at or after this RFC 3339 time")
    .option("--limit <count>", "at most this many events", (text) => Number(text))
    .option("--json", "print JSON")
    .action(
      context.action(async (flags: { project?: string; action?: string; since?: string; limit?: number; json?: boolean }) => {
        if (flags.limit !== undefined && (!Number.isInteger(flags.limit) || flags.limit < 1)) {
          throw new CliUsageError("Invalid --limit. Expected a whole number of events, at least 1.");
        }
        const query = {
          ...(flags.project !== undefined && { project: flags.project }),
          ...(flags.action !== undefined && { action: flags.action }),
          ...(flags.since !== undefined && { since: flags.since }),
          limit: Math.min(flags.limit ?? 100, 100),
        };
        const events = await context.client.audit.list(query).toArray(flags.limit);
        if (flags.json) return output.json(events);
        output.table(head, events.map(rowOf), "No audit events.");
      }),
    );

  audit
    .command("verify")
    .description("Check the audit hash chain; exits 1 when it is broken")
    .option("--json", "print JSON")
    .action(
      context.action(async (flags: { json?: boolean }) => {
        const result = await context.client.audit.verify();
        if (flags.json) output.json(result);
        else output.record([["ok", result.ok], ["checked", result.checked], ["first_bad", result.first_bad]]);
        if (!result.ok) {
          if (!flags.json) output.notice(`keyward: the audit chain is broken at event ${result.first_bad ?? "?"}`);
          context.io.setExitCode(EXIT_ERROR);
        }
      }),
    );
}
