import type { Scope } from "@keyward/client";
import type { Command } from "commander";
import type { ClientCommandContext } from "./client-command-context";

const head = ["PROJECT", "SCOPE", "DESCRIPTION", "UPDATED"];
const rowOf = (scope: Scope) => [scope.project, scope.name, scope.description, scope.updated_at];

/** `keyward scopes create|update|list|delete`: a project's scope catalog. */
export function registerScopesCommand(program: Command, context: ClientCommandContext): void {
  const scopes = program.command("scopes").description("Declare, list and delete the scopes of a project");
  const { output } = context;

  const put = context.action(async (project: string, name: string, options: { description?: string; json?: boolean }) => {
    const { scope, created } = await context.client.scopes.put(project, name, options.description !== undefined ? { description: options.description } : {});
    if (options.json) return output.json({ scope, created });
    output.table(head, [rowOf(scope)], "");
    output.notice(created ? `Created scope ${name}.` : `Scope ${name} already existed; updated it.`);
  });

  // `put` names the HTTP verb: create-or-update, safe to repeat.
  for (const [verb, aliases, description] of [
    ["create", ["put"], "Declare a scope in a project's catalog, or update it (repeating it is harmless)"],
    ["update", [], "Change a scope's description"],
  ] as const) {
    scopes
      .command(`${verb} <project> <scope>`)
      .aliases(aliases)
      .description(description)
      .option("--description <text>", "what the scope allows")
      .option("--json", "print JSON")
      .action(put);
  }

  scopes
    .command("list <project>")
    .description("List a project's scopes")
    .option("--json", "print JSON")
    .action(
      context.action(async (project: string, options: { json?: boolean }) => {
        const all = await context.client.scopes.list(project, { limit: 100 }).toArray();
        if (options.json) return output.json(all);
        output.table(head, all.map(rowOf), `Project ${project} has no scopes.`);
      }),
    );

  scopes
    .command("delete <project> <scope>")
    .description("Delete a scope (refused while a key that is not revoked holds it)")
    .option("--json", "print JSON")
    .action(
      context.action(async (project: string, name: string, options: { json?: boolean }) => {
        await context.client.scopes.delete(project, name);
        if (options.json) return output.json({ deleted: name, project });
        output.notice(`Deleted scope ${name} from ${project}.`);
      }),
    );
}
