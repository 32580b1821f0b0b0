import type { ManagementScope, ManagementToken } from "@keyward/client";
import type { Command } from "commander";
import { type ClientCommandContext, repeatable } from "./client-command-context";

const head = ["ID", "NAME", "SCOPES", "PROJECT", "ENV", "HINT", "EXPIRES", "LAST USED"];
const rowOf = (token: ManagementToken) => [token.id, token.name, token.scopes, token.project, token.environment, token.hint, token.expires_at, token.last_used_at];

interface CreateFlags {
  name: string;
  scope: string[];
  project?: string;
  environment?: string;
  expiresAt?: string;
  idempotencyKey?: string;
  json?: boolean;
}

/** `keyward tokens create|list|delete`: management tokens. */
export function registerTokensCommand(program: Command, context: ClientCommandContext): void {
  const tokens = program.command("tokens").description("Create, list and revoke management tokens");
  const { output } = context;

  tokens
    .command("create")
    .description("Create a management token; its secret is printed once, alone on stdout")
    .requiredOption("--name <name>", "what the token is for")
    .option("--scope <scope>", "a management scope such as keys:read or keys:rotate (repeat for more)", repeatable, [])
    .option("--project <project>", "bind the token to one project")
    .option("--environment <environment>", "bind the token to test or live")
    .option("--expires-at <time>", "RFC 3339 expiry")
    .option("--idempotency-key <key>", "makes a repeated create return the first answer")
    .option("--json", "print JSON (includes the secret)")
    .action(
      context.action(async (flags: CreateFlags) => {
        const created = await context.client.tokens.create(
          {
            name: flags.name,
            scopes: flags.scope as ManagementScope[],
            ...(flags.project !== undefined && { project: flags.project }),
            ...(flags.environment !== undefined && { environment: flags.environment as ManagementToken["environment"] & string }),
            ...(flags.expiresAt !== undefined && { expires_at: flags.expiresAt }),
          },
          flags.idempotencyKey !== undefined ? { idempotencyKey: flags.idempotencyKey } : {},
        );
        if (flags.json) return output.json({ token: created.token, secret: created.secret.reveal() });
        output.record(head.map((name, index) => [name.toLowerCase(), rowOf(created.token)[index]] as const), "stderr");
        output.notice("The token follows on stdout. It is shown this once: store it now.");
        output.line(created.secret.reveal());
      }),
    );

  tokens
    .command("list")
    .description("List management tokens")
    .option("--json", "print JSON")
    .action(
      context.action(async (flags: { json?: boolean }) => {
        const all = await context.client.tokens.list({ limit: 100 }).toArray();
        if (flags.json) return output.json(all);
        output.table(head, all.map(rowOf), "No tokens.");
      }),
    );

  tokens
    .command("delete")
    .argument("<id>", "token id (tok_…)")
    .description("Revoke and delete a management token")
    .option("--json", "print JSON")
    .action(
      context.action(async (id: string, flags: { json?: boolean }) => {
        await context.client.tokens.delete(id);
        if (flags.json) return output.json({ deleted: id });
        output.notice(`Deleted token ${id}.`);
      }),
    );
}
