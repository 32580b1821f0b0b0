import { DURATION_EXPECTED, parseDuration } from "@keyward/contract";
import type { Command } from "commander";
import { DEFAULT_RETENTION, purge } from "../domain/purge";
import { openKeyward } from "../keyward";
import { createLogger } from "../logger";
import { resolveServerConfig, STORAGE_OPTIONS, type ServerFlags } from "./server-config";

/** `keyward purge`: data retention (SPEC §9). Prints what it removed as JSON. */
export function registerPurgeCommand(program: Command): void {
  const command = program
    .command("purge")
    .description("delete keys revoked, and audit events recorded, longer ago than --older-than (default 365d)");
  for (const [flags, description] of STORAGE_OPTIONS) command.option(flags, description);
  command.option("--older-than <duration>", "retention period, e.g. 365d or 2160h", DEFAULT_RETENTION).action(async (flags: ServerFlags & { olderThan: string }) => {
    const retention = parseDuration(flags.olderThan);
    if (retention === undefined) throw new Error(`--older-than must be ${DURATION_EXPECTED}, got '${flags.olderThan}'`);
    const keyward = await openKeyward({ ...resolveServerConfig(flags, process.env), logger: createLogger({ level: "warn" }) });
    try {
      process.stdout.write(`${JSON.stringify(await purge(keyward.services, retention, "purge"))}\n`);
    } finally {
      await keyward.close();
    }
  });
}
