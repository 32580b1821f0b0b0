import type { Command } from "commander";
import { registerAuditCommand } from "./audit-command";
import { ClientCommandContext, type ClientCommandIo, processIo } from "./client-command-context";
import { registerKeysCommand } from "./keys-command";
import { registerProjectsCommand } from "./projects-command";
import { registerScopesCommand } from "./scopes-command";
import { registerTokensCommand } from "./tokens-command";
import { registerTrustPoliciesCommand } from "./trust-policies-command";
import { registerVerifyCommand } from "./verify-command";
import { registerWebhooksCommand } from "./webhooks-command";

/**
 * Adds the commands that call a running key service (SPEC §4): `projects`, `scopes`, `keys`,
 * `tokens`, `audit`, `verify` and `webhooks`. They read `KEYWARD_URL` and `KEYWARD_TOKEN` from the environment.
 */
export function registerClientCommands(program: Command, io: ClientCommandIo = processIo): void {
  const context = new ClientCommandContext(io);
  registerProjectsCommand(program, context);
  registerScopesCommand(program, context);
  registerKeysCommand(program, context);
  registerTokensCommand(program, context);
  registerTrustPoliciesCommand(program, context);
  registerAuditCommand(program, context);
  registerVerifyCommand(program, context);
  registerWebhooksCommand(program, context);
}
