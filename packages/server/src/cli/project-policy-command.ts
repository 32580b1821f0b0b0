import type { EnvironmentPolicy, ProjectPolicy } from "@keyward/contract";
import type { Command } from "commander";
import type { ClientCommandContext } from "./client-command-context";
import { CliUsageError } from "./cli-usage-error";

interface SetOptions {
  environment: string;
  maxLifetime?: string;
  requireRotation?: boolean;
  maxRotationEvery?: string;
  maxGracePeriod?: string;
  requireDestinations?: boolean;
  exposure?: string;
  json?: boolean;
}

const head = ["ENVIRONMENT", "MAX LIFETIME", "REQUIRE ROTATION", "MAX ROTATION EVERY", "MAX GRACE PERIOD", "REQUIRE DESTINATIONS", "EXPOSURE"];
const rowOf = (environment: string, policy: EnvironmentPolicy) => [
  environment,
  policy.max_lifetime,
  policy.require_rotation ?? false,
  policy.max_rotation_every,
  policy.max_grace_period,
  policy.require_destinations ?? false,
  policy.exposure,
];
const rowsOf = (policy: ProjectPolicy) => [rowOf("live", policy.live), rowOf("test", policy.test)];

/** The flags as one environment's policy; the server validates durations and names the field. */
function environmentPolicyOf(options: SetOptions) {
  return {
    ...(options.maxLifetime !== undefined && { max_lifetime: options.maxLifetime }),
    ...(options.requireRotation && { require_rotation: true }),
    ...(options.maxRotationEvery !== undefined && { max_rotation_every: options.maxRotationEvery }),
    ...(options.maxGracePeriod !== undefined && { max_grace_period: options.maxGracePeriod }),
    ...(options.requireDestinations && { require_destinations: true }),
    ...(options.exposure !== undefined && { exposure: options.exposure as EnvironmentPolicy["exposure"] }),
  };
}

/** `keyward projects policy get|set` (SPEC §18): the rules every key of an environment must keep. */
export function registerProjectPolicyCommand(projects: Command, context: ClientCommandContext): void {
  const policy = projects.command("policy").description("Show or set a project's key policy per environment");
  const { output } = context;

  policy
    .command("get <project>")
    .description("Show the project's key policy")
    .option("--json", "print JSON")
    .action(
      context.action(async (project: string, options: { json?: boolean }) => {
        const current = await context.client.projects.getPolicy(project);
        if (options.json) return output.json(current);
        output.table(head, rowsOf(current), "");
      }),
    );

  policy
    .command("set <project>")
    .description("Replace one environment's policy (rules not given are lifted); the other environment keeps its policy")
    .requiredOption("--environment <environment>", "live or test")
    .option("--max-lifetime <duration>", "every key must expire at most this long after creation, e.g. 365d")
    .option("--require-rotation", "every key must have a rotation schedule")
    .option("--max-rotation-every <duration>", "every key must rotate at least this often, e.g. 90d")
    .option("--max-grace-period <duration>", "the longest grace period a key or rotation may ask for, e.g. 7d")
    .option("--require-destinations", "every key must be delivered to at least one destination")
    .option("--exposure <response>", "revoke (default), rotate or notify: what happens when a secret is found in public")
    .option("--json", "print JSON")
    .action(
      context.action(async (project: string, options: SetOptions) => {
        if (options.environment !== "live" && options.environment !== "test") {
          throw new CliUsageError(`Invalid --environment '${options.environment}'. Expected live or test.`);
        }
        const updated = await context.client.projects.putPolicy(project, { [options.environment]: environmentPolicyOf(options) });
        if (options.json) return output.json(updated);
        output.table(head, rowsOf(updated), "");
      }),
    );
}
