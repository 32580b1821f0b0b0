import type { Command } from "commander";
import type { ClientCommandContext } from "./client-command-context";

/**
 * Every `keyward` command, by name, with the module that adds it. `keyward --help` lists them from
 * here and loads none of them: a command's module (and the server, client or contract it needs) is
 * loaded only when that command runs or shows its own help (issue 14: help loaded the whole server
 * and took 5–6× a bare `node` start). Each description is the one the command's module gives
 * itself; command-catalog.test.ts checks that they agree.
 */
export interface CatalogCommand {
  readonly name: string;
  readonly description: string;
  /** Adds the command, with its options, subcommands and action, to `program`. */
  readonly load: () => Promise<(program: Command) => void>;
}

type ClientRegister = (program: Command, context: ClientCommandContext) => void;

/** A command that calls a running key service: it gets the context of the real process. */
async function clientCommand(register: Promise<ClientRegister>): Promise<(program: Command) => void> {
  const [add, { ClientCommandContext, processIo }] = await Promise.all([register, import("./client-command-context")]);
  return (program) => add(program, new ClientCommandContext(processIo));
}

export const COMMAND_CATALOG: readonly CatalogCommand[] = [
  {
    name: "init",
    description: "create the database schema and the root management token (printed once, on stdout)",
    load: async () => (await import("./init-command")).registerInitCommand,
  },
  { name: "serve", description: "run the key service (HTTP API)", load: async () => (await import("./serve-command")).registerServeCommand },
  {
    name: "purge",
    description: "delete keys revoked, and audit events recorded, longer ago than --older-than (default 365d)",
    load: async () => (await import("./purge-command")).registerPurgeCommand,
  },
  { name: "token", description: "management token recovery, run on the server machine", load: async () => (await import("./token-recover-command")).registerTokenRecoverCommand },
  { name: "projects", description: "Create, list, show and delete projects", load: () => clientCommand(import("./projects-command").then((m) => m.registerProjectsCommand)) },
  { name: "scopes", description: "Declare, list and delete the scopes of a project", load: () => clientCommand(import("./scopes-command").then((m) => m.registerScopesCommand)) },
  { name: "keys", description: "Issue, list, change, rotate, roll back, revoke and delete API keys", load: () => clientCommand(import("./keys-command").then((m) => m.registerKeysCommand)) },
  { name: "tokens", description: "Create, list and revoke management tokens", load: () => clientCommand(import("./tokens-command").then((m) => m.registerTokensCommand)) },
  {
    name: "trust-policies",
    description: "Declare which OIDC workloads (e.g. a GitHub Actions job) may exchange their ID token for a short-lived management token",
    load: () => clientCommand(import("./trust-policies-command").then((m) => m.registerTrustPoliciesCommand)),
  },
  { name: "audit", description: "Read and check the audit log", load: () => clientCommand(import("./audit-command").then((m) => m.registerAuditCommand)) },
  { name: "verify", description: "Verify an API key; exits 0 when it is VALID and 3 otherwise", load: () => clientCommand(import("./verify-command").then((m) => m.registerVerifyCommand)) },
  { name: "provider", description: "The Terraform provider (terraform-provider-keyward)", load: async () => (await import("./provider-command")).registerProviderCommand },
];

/** The command `argv` (after the executable and script) runs: its first word, or the one `help` names. */
export function requestedCommand(argv: readonly string[]): string | undefined {
  const words = argv.filter((arg) => !arg.startsWith("-"));
  return words[0] === "help" ? words[1] : words[0];
}

/**
 * Adds the requested command whole and every other one as its name and description only, enough
 * for the top-level help and for commander's "unknown command" suggestions.
 */
export async function registerCatalog(program: Command, argv: readonly string[]): Promise<void> {
  const requested = requestedCommand(argv);
  for (const entry of COMMAND_CATALOG) {
    if (entry.name === requested) (await entry.load())(program);
    else program.command(entry.name).description(entry.description);
  }
}
