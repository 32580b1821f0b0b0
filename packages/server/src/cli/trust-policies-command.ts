import { GITHUB_ACTIONS_ISSUER } from "@keyward/contract";
import type { ManagementScope, PutTrustPolicyParams, TrustPolicy } from "@keyward/client";
import type { Command } from "commander";
import { type ClientCommandContext, repeatable } from "./client-command-context";
import { CliUsageError } from "./cli-usage-error";

const head = ["NAME", "ISSUER", "AUDIENCE", "CLAIMS", "SCOPES", "PROJECT", "ENV", "TTL"];
const claimsText = (policy: TrustPolicy) =>
  Object.entries(policy.claims)
    .map(([name, value]) => `${name}=${value}`)
    .join("\n");
const rowOf = (policy: TrustPolicy) => [policy.name, policy.issuer, policy.audience, claimsText(policy), policy.scopes, policy.project, policy.environment, policy.ttl];

interface PutFlags {
  issuer: string;
  audience: string;
  claim: string[];
  scope: string[];
  project?: string;
  environment?: string;
  ttl?: string;
  json?: boolean;
}

function claimsOf(pairs: readonly string[]): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const pair of pairs) {
    const separator = pair.indexOf("=");
    if (separator <= 0) throw new CliUsageError(`--claim must be NAME=VALUE, such as repository_id=123456 or ref=refs/heads/main`);
    claims[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  return claims;
}

/** `keyward trust-policies put|list|get|delete` (SPEC §14). */
export function registerTrustPoliciesCommand(program: Command, context: ClientCommandContext): void {
  const policies = program
    .command("trust-policies")
    .description("Declare which OIDC workloads (e.g. a GitHub Actions job) may exchange their ID token for a short-lived management token");
  const { output } = context;

  policies
    .command("put")
    .argument("<name>", "policy name")
    .description("Create or replace a trust policy")
    .option("--issuer <url>", "the OIDC issuer, exactly as the ID token's iss", GITHUB_ACTIONS_ISSUER)
    .requiredOption("--audience <aud>", "the aud the ID token must carry (the action's default: the key service URL)")
    .option("--claim <name=value>", "a claim the ID token must carry exactly, e.g. repository_id=123456 (repeat; one of repository_id, repository_owner_id or sub is required)", repeatable, [])
    .option("--scope <scope>", "a management scope of the minted tokens, e.g. keys:rotate (repeat for more)", repeatable, [])
    .option("--project <project>", "bind minted tokens to one project")
    .option("--environment <environment>", "bind minted tokens to test or live")
    .option("--ttl <duration>", "lifetime of minted tokens, at most 1h (default 15m)")
    .option("--json", "print JSON")
    .action(
      context.action(async (name: string, flags: PutFlags) => {
        const params: PutTrustPolicyParams = {
          issuer: flags.issuer,
          audience: flags.audience,
          claims: claimsOf(flags.claim),
          scopes: flags.scope as ManagementScope[],
          ...(flags.project !== undefined && { project: flags.project }),
          ...(flags.environment !== undefined && { environment: flags.environment as "test" | "live" }),
          ...(flags.ttl !== undefined && { ttl: flags.ttl }),
        };
        const { policy, created } = await context.client.trustPolicies.put(name, params);
        if (flags.json) return output.json(policy);
        output.record(head.map((field, index) => [field.toLowerCase(), rowOf(policy)[index]] as const));
        output.notice(`${created ? "Created" : "Replaced"} trust policy ${policy.name}.`);
      }),
    );

  policies
    .command("list")
    .description("List trust policies")
    .option("--json", "print JSON")
    .action(
      context.action(async (flags: { json?: boolean }) => {
        const all = await context.client.trustPolicies.list({ limit: 100 }).toArray();
        if (flags.json) return output.json(all);
        output.table(head, all.map(rowOf), "No trust policies.");
      }),
    );

  policies
    .command("get")
    .argument("<name>", "policy name")
    .description("Show a trust policy")
    .option("--json", "print JSON")
    .action(
      context.action(async (name: string, flags: { json?: boolean }) => {
        const policy = await context.client.trustPolicies.get(name);
        if (flags.json) return output.json(policy);
        output.record(head.map((field, index) => [field.toLowerCase(), rowOf(policy)[index]] as const));
      }),
    );

  policies
    .command("delete")
    .argument("<name>", "policy name")
    .description("Delete a trust policy; tokens it minted keep working until they expire")
    .option("--json", "print JSON")
    .action(
      context.action(async (name: string, flags: { json?: boolean }) => {
        await context.client.trustPolicies.delete(name);
        if (flags.json) return output.json({ deleted: name });
        output.notice(`Deleted trust policy ${name}.`);
      }),
    );
}
