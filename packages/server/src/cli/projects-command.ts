import type { Project } from "@keyward/client";
import type { Command } from "commander";
import type { ClientCommandContext } from "./client-command-context";
import { registerProjectPolicyCommand } from "./project-policy-command";

const head = ["NAME", "DESCRIPTION", "CREATED"];
const rowOf = (project: Project) => [project.name, project.description, project.created_at];

/** `keyward projects create|list|get|delete|policy`. */
export function registerProjectsCommand(program: Command, context: ClientCommandContext): void {
  const projects = program.command("projects").description("Create, list, show and delete projects");
  const { output } = context;

  projects
    .command("create <name>")
    .description("Create a project")
    .option("--description <text>", "what the project is")
    .option("--json", "print JSON")
    .action(
      context.action(async (name: string, options: { description?: string; json?: boolean }) => {
        const project = await context.client.projects.create({ name, ...(options.description !== undefined ? { description: options.description } : {}) });
        if (options.json) return output.json(project);
        output.table(head, [rowOf(project)], "");
      }),
    );

  projects
    .command("list")
    .description("List projects")
    .option("--json", "print JSON")
    .action(
      context.action(async (options: { json?: boolean }) => {
        const all = await context.client.projects.list({ limit: 100 }).toArray();
        if (options.json) return output.json(all);
        output.table(head, all.map(rowOf), "No projects.");
      }),
    );

  projects
    .command("get <name>")
    .description("Show a project")
    .option("--json", "print JSON")
    .action(
      context.action(async (name: string, options: { json?: boolean }) => {
        const project = await context.client.projects.get(name);
        if (options.json) return output.json(project);
        output.table(head, [rowOf(project)], "");
      }),
    );

  projects
    .command("delete <name>")
    .description("Erase a project with its keys, scopes, tokens and usage (the audit log keeps a tombstone)")
    .option("--json", "print JSON")
    .action(
      context.action(async (name: string, options: { json?: boolean }) => {
        await context.client.projects.delete(name);
        if (options.json) return output.json({ deleted: name });
        output.notice(`Deleted project ${name}.`);
      }),
    );

  registerProjectPolicyCommand(projects, context);
}
