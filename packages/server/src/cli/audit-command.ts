import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { AuditEvent } from "@keyward/client";
import type { AuditVerification } from "@keyward/contract";
import type { Command } from "commander";
import { readCheckpointFile } from "../domain/audit/audit-checkpoint";
import { AuditKeys, AuditVerifier, PUBLIC_KEY_EXPECTED } from "../domain/audit/audit-keys";
import { parseExportedLog, verifyExportedLog } from "../domain/audit/verify-exported-log";
import { Pepper } from "../domain/pepper";
import { readExistingPepper } from "../storage/pepper-file";
import { type ClientCommandContext, EXIT_ERROR } from "./client-command-context";
import { CliUsageError } from "./cli-usage-error";
import { DEFAULT_DATA_DIR } from "./server-config";

const head = ["SEQ", "TIME", "ACTION", "TARGET", "PROJECT", "ENV", "ACTOR", "SOURCE IP", "DETAILS"];
const rowOf = (event: AuditEvent) => [event.seq, event.time, event.action, event.target, event.project, event.environment, event.actor, event.source_ip, event.details];

/** `keyward audit list|verify|checkpoint|public-key`: the keyed, checkpointed audit log (SPEC §12). */
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
    .description("Check the audit chain; exits 1 when it is broken. With --checkpoints, check a log (--log, or the server's export) against a checkpoint file with the public key alone")
    .option("--checkpoints <file>", "a checkpoint file (audit-checkpoints.jsonl) to check against")
    .option("--log <file>", "an exported log (GET /v1/audit/export, JSON lines) to check offline; - reads stdin")
    .option("--public-key <key>", "the key `keyward audit public-key` printed (or KEYWARD_AUDIT_PUBLIC_KEY)")
    .option("--json", "print JSON")
    .action(
      context.action(async (flags: { checkpoints?: string; log?: string; publicKey?: string; json?: boolean }) => {
        const result = flags.checkpoints || flags.log ? await verifyAgainstCheckpoints(context, flags) : await context.client.audit.verify();
        if (flags.json) output.json(result);
        else output.record([["ok", result.ok], ["checked", result.checked], ["first_bad", result.first_bad], ["truncated_after", result.truncated_after], ["checkpoint", result.checkpoint?.seq]]);
        if (!result.ok) {
          if (!flags.json) output.notice(`keyward: ${brokenAt(result)}`);
          context.io.setExitCode(EXIT_ERROR);
        }
      }),
    );

  audit
    .command("checkpoint")
    .description("Have the service sign the chain's head now and append it to its checkpoint file (needs admin)")
    .option("--json", "print JSON")
    .action(
      context.action(async (flags: { json?: boolean }) => {
        const checkpoint = await context.client.audit.checkpoint();
        if (flags.json) return output.json(checkpoint);
        output.record([["seq", checkpoint.seq], ["hash", checkpoint.hash], ["time", checkpoint.time], ["key_id", checkpoint.key_id]]);
      }),
    );

  audit
    .command("public-key")
    .description("Print the key that verifies audit checkpoints; runs on the server machine (reads the pepper: KEYWARD_PEPPER or the data directory)")
    .option("--data-dir <dir>", "where the pepper file is (default ./.keyward, or KEYWARD_DATA_DIR)")
    .option("--json", "print JSON")
    .action(
      context.action(async (flags: { dataDir?: string; json?: boolean }) => {
        const dataDir = resolve(flags.dataDir ?? context.io.env.KEYWARD_DATA_DIR ?? DEFAULT_DATA_DIR);
        const pepper = await readExistingPepper({ dataDir, fromEnvironment: context.io.env.KEYWARD_PEPPER });
        if (!pepper) throw new CliUsageError(`No pepper in ${dataDir}. Expected --data-dir of an initialised service, or KEYWARD_PEPPER.`);
        const { verifier } = new AuditKeys(new Pepper(pepper));
        if (flags.json) return output.json({ algorithm: "Ed25519", public_key: verifier.text, key_id: verifier.keyId });
        output.line(verifier.text);
      }),
    );
}

function brokenAt(result: AuditVerification): string {
  if (result.first_bad) return `the audit chain is broken at event ${result.first_bad}`;
  if (typeof result.truncated_after === "number") return `the audit log is cut off after seq ${result.truncated_after}: a signed checkpoint names a later event`;
  return "the audit chain is broken";
}

async function verifyAgainstCheckpoints(context: ClientCommandContext, flags: { checkpoints?: string; log?: string; publicKey?: string }): Promise<AuditVerification> {
  if (!flags.checkpoints) throw new CliUsageError("Missing --checkpoints. Expected the checkpoint file to check the log against (audit-checkpoints.jsonl).");
  const keyText = flags.publicKey ?? context.io.env.KEYWARD_AUDIT_PUBLIC_KEY;
  if (!keyText) throw new CliUsageError(`Missing --public-key. Expected ${PUBLIC_KEY_EXPECTED}.`);
  const verifier = AuditVerifier.fromText(keyText);
  if (!verifier) throw new CliUsageError(`Invalid --public-key. Expected ${PUBLIC_KEY_EXPECTED}.`);
  const file = readCheckpointFile(verifier, await readText(context, flags.checkpoints, "--checkpoints"));
  if (file.rejectedLines.length > 0) {
    throw new CliUsageError(`${flags.checkpoints} line ${file.rejectedLines.join(", ")}: not a checkpoint signed by this public key (forged, edited, or another server's)`);
  }
  const events = flags.log ? parseLog(await readText(context, flags.log, "--log")) : await context.client.audit.export();
  return verifyExportedLog(events, file);
}

function parseLog(text: string) {
  try {
    return parseExportedLog(text);
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
}

async function readText(context: ClientCommandContext, path: string, flag: string): Promise<string> {
  if (path === "-") return context.io.readStdin();
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new CliUsageError(`Cannot read ${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}. Expected a readable file.`);
  }
}
