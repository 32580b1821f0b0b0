import type { ApiKey, Keyward, UpdateKeyParams } from "@keyward/client";
import { KEY_ID_PATTERN } from "@keyward/contract";
import type { Command } from "commander";
import { type ClientCommandContext, repeatable } from "./client-command-context";
import { CliUsageError } from "./cli-usage-error";
import { DESTINATION_EXAMPLE, formatDestination, parseDestination } from "./destination-option";

const head = ["ID", "PROJECT", "ENV", "NAME", "STATUS", "VER", "SCOPES", "EXPIRES", "NEXT ROTATION"];
const rowOf = (key: ApiKey) => [key.id, key.project, key.environment, key.name, key.status, key.version, key.scopes, key.expires_at, key.next_rotation_at];

function fieldsOf(key: ApiKey): [string, unknown][] {
  return [
    ["id", key.id],
    ["project", key.project],
    ["environment", key.environment],
    ["name", key.name],
    ["status", key.status],
    ["version", key.version],
    ["hint", key.hint],
    ["scopes", key.scopes],
    ["expires_at", key.expires_at],
    ["rotation", key.rotation],
    ["rotated_at", key.rotated_at],
    ["next_rotation_at", key.next_rotation_at],
    ["rotation_due", key.rotation_due],
    ["ip_allowlist", key.ip_allowlist],
    ["rate_limit", key.rate_limit],
    ["metadata", key.metadata],
    ["destinations", key.destinations.map(formatDestination)],
    ["created_at", key.created_at],
    ["updated_at", key.updated_at],
    ["last_used_at", key.last_used_at],
  ];
}

/** `100/1m` → `{requests: 100, window: "1m"}`; the server checks the window is a duration. */
function parseRateLimit(text: string): { requests: number; window: string } {
  const match = /^(\d+)\/(\S+)$/.exec(text);
  if (!match) throw new CliUsageError(`Invalid --rate-limit '${text}'. Expected REQUESTS/WINDOW such as 100/1m.`);
  return { requests: Number(match[1]), window: match[2] as string };
}

/** `team=payments` pairs → a metadata object. */
function parseMetadata(pairs: readonly string[]): Record<string, string> {
  const entries = pairs.map((pair) => {
    const cut = pair.indexOf("=");
    if (cut <= 0) throw new CliUsageError(`Invalid --metadata '${pair}'. Expected KEY=VALUE such as team=payments.`);
    return [pair.slice(0, cut), pair.slice(cut + 1)] as const;
  });
  return Object.fromEntries(entries);
}

/**
 * A key named on the command line: its id (`key_…`), or `project/environment/name`, the form the
 * GitHub Action and people use.
 */
async function resolveKeyId(client: Keyward, reference: string): Promise<string> {
  if (KEY_ID_PATTERN.test(reference)) return reference;
  const parts = reference.split("/");
  if (parts.length !== 3 || parts.some((part) => part === "")) {
    throw new CliUsageError(`Invalid key '${reference}'. Expected a key id (key_ and 20 letters or digits) or project/environment/name.`);
  }
  const [project, environment, name] = parts as [string, string, string];
  const page = await client.keys.page({ project, environment: environment as ApiKey["environment"], name, limit: 1 });
  const key = page.data[0];
  if (!key) throw new CliUsageError(`No key named ${name} in ${project} (${environment}).`);
  return key.id;
}

interface RotationFlags {
  rotateEvery?: string;
  gracePeriod?: string;
}

function rotationOf(flags: RotationFlags, current?: ApiKey["rotation"]): { every: string; grace_period: string } | undefined {
  if (flags.rotateEvery === undefined && flags.gracePeriod === undefined) return undefined;
  const every = flags.rotateEvery ?? current?.every;
  const gracePeriod = flags.gracePeriod ?? current?.grace_period;
  if (every === undefined) throw new CliUsageError("--grace-period needs --rotate-every (the key has no rotation schedule yet).");
  if (gracePeriod === undefined) throw new CliUsageError("--rotate-every needs --grace-period (how long the previous secret keeps working).");
  return { every, grace_period: gracePeriod };
}

interface CreateFlags extends RotationFlags {
  project: string;
  environment: string;
  name: string;
  scope: string[];
  expiresAt?: string;
  ip?: string[];
  rateLimit?: string;
  metadata?: string[];
  destination?: string[];
  idempotencyKey?: string;
  json?: boolean;
}

interface UpdateFlags extends RotationFlags {
  name?: string;
  scope?: string[];
  expiresAt?: string;
  clearExpiry?: boolean;
  clearRotation?: boolean;
  ip?: string[];
  clearIpAllowlist?: boolean;
  rateLimit?: string;
  clearRateLimit?: boolean;
  metadata?: string[];
  destination?: string[];
  clearDestinations?: boolean;
  json?: boolean;
}

function exclusive(flags: UpdateFlags, set: keyof UpdateFlags, clear: keyof UpdateFlags, names: string): void {
  if (flags[set] !== undefined && flags[clear]) throw new CliUsageError(`Give either ${names}, not both.`);
}

async function patchOf(client: Keyward, id: string, flags: UpdateFlags): Promise<UpdateKeyParams> {
  exclusive(flags, "expiresAt", "clearExpiry", "--expires-at or --clear-expiry");
  exclusive(flags, "rotateEvery", "clearRotation", "--rotate-every or --clear-rotation");
  exclusive(flags, "gracePeriod", "clearRotation", "--grace-period or --clear-rotation");
  exclusive(flags, "ip", "clearIpAllowlist", "--ip or --clear-ip-allowlist");
  exclusive(flags, "rateLimit", "clearRateLimit", "--rate-limit or --clear-rate-limit");
  exclusive(flags, "destination", "clearDestinations", "--destination or --clear-destinations");
  const partialRotation = (flags.rotateEvery === undefined) !== (flags.gracePeriod === undefined);
  const rotation = rotationOf(flags, partialRotation ? (await client.keys.get(id)).rotation : undefined);
  const patch: UpdateKeyParams = {
    ...(flags.name !== undefined && { name: flags.name }),
    ...(flags.scope !== undefined && { scopes: flags.scope }),
    ...(flags.expiresAt !== undefined && { expires_at: flags.expiresAt }),
    ...(flags.clearExpiry && { expires_at: null }),
    ...(rotation !== undefined && { rotation }),
    ...(flags.clearRotation && { rotation: null }),
    ...(flags.ip !== undefined && { ip_allowlist: flags.ip }),
    ...(flags.clearIpAllowlist && { ip_allowlist: null }),
    ...(flags.rateLimit !== undefined && { rate_limit: parseRateLimit(flags.rateLimit) }),
    ...(flags.clearRateLimit && { rate_limit: null }),
    ...(flags.metadata !== undefined && { metadata: parseMetadata(flags.metadata) }),
    ...(flags.destination !== undefined && { destinations: flags.destination.map(parseDestination) }),
    ...(flags.clearDestinations && { destinations: [] }),
  };
  if (Object.keys(patch).length === 0) throw new CliUsageError("Nothing to update: give at least one option (see keyward keys update --help).");
  return patch;
}

/** `keyward keys create|list|get|update|rotate|rollback|revoke|delete|usage`. */
export function registerKeysCommand(program: Command, context: ClientCommandContext): void {
  const keys = program.command("keys").description("Issue, list, change, rotate, roll back, revoke and delete API keys");
  const { output } = context;
  const keyHelp = "key id (key_…) or project/environment/name";

  keys
    .command("create")
    .description("Issue an API key; its secret is printed once, alone on stdout")
    .requiredOption("--project <project>", "project the key belongs to")
    .requiredOption("--environment <environment>", "test or live")
    .requiredOption("--name <name>", "name, unique within the project and environment")
    .option("--scope <scope>", "a scope from the project's catalog (repeat for more)", repeatable, [])
    .option("--expires-at <time>", "RFC 3339 expiry, e.g. 2027-06-30T00:00:00Z")
    .option("--rotate-every <duration>", "rotation schedule, e.g. 30d")
    .option("--grace-period <duration>", "how long the previous secret works after a rotation, e.g. 24h")
    .option("--ip <cidr>", "allow only this CIDR block (repeat for more)", repeatable)
    .option("--rate-limit <requests/window>", "per-key limit, e.g. 100/1m")
    .option("--metadata <key=value>", "a metadata entry (repeat for more)", repeatable)
    .option("--destination <destination>", `where the secret is delivered when it is issued (repeat for more): ${DESTINATION_EXAMPLE}`, repeatable)
    .option("--idempotency-key <key>", "makes a repeated create return the first answer")
    .option("--json", "print JSON (includes the secret)")
    .action(
      context.action(async (flags: CreateFlags) => {
        const rotation = rotationOf(flags);
        const created = await context.client.keys.create(
          {
            project: flags.project,
            environment: flags.environment as ApiKey["environment"],
            name: flags.name,
            scopes: flags.scope,
            ...(flags.expiresAt !== undefined && { expires_at: flags.expiresAt }),
            ...(rotation !== undefined && { rotation }),
            ...(flags.ip !== undefined && { ip_allowlist: flags.ip }),
            ...(flags.rateLimit !== undefined && { rate_limit: parseRateLimit(flags.rateLimit) }),
            ...(flags.metadata !== undefined && { metadata: parseMetadata(flags.metadata) }),
            ...(flags.destination !== undefined && { destinations: flags.destination.map(parseDestination) }),
          },
          flags.idempotencyKey !== undefined ? { idempotencyKey: flags.idempotencyKey } : {},
        );
        if (flags.json) return output.json({ key: created.key, secret: created.secret.reveal() });
        output.record(fieldsOf(created.key), "stderr");
        output.notice("The secret follows on stdout. It is shown this once: store it now.");
        output.line(created.secret.reveal());
      }),
    );

  keys
    .command("list")
    .description("List API keys")
    .option("--project <project>", "only this project")
    .option("--environment <environment>", "only test or live")
    .option("--status <status>", "only active, expired or revoked")
    .option("--rotation-due", "only keys whose rotation is due")
    .option("--name <name>", "only keys with this name")
    .option("--limit <count>", "at most this many keys", (text) => Number(text))
    .option("--json", "print JSON")
    .action(
      context.action(async (flags: { project?: string; environment?: string; status?: string; rotationDue?: boolean; name?: string; limit?: number; json?: boolean }) => {
        if (flags.limit !== undefined && (!Number.isInteger(flags.limit) || flags.limit < 1)) {
          throw new CliUsageError("Invalid --limit. Expected a whole number of keys, at least 1.");
        }
        const query = {
          ...(flags.project !== undefined && { project: flags.project }),
          ...(flags.environment !== undefined && { environment: flags.environment as ApiKey["environment"] }),
          ...(flags.status !== undefined && { status: flags.status as ApiKey["status"] }),
          ...(flags.rotationDue && { rotation_due: true }),
          ...(flags.name !== undefined && { name: flags.name }),
          limit: Math.min(flags.limit ?? 100, 100),
        };
        const all = await context.client.keys.list(query).toArray(flags.limit);
        if (flags.json) return output.json(all);
        output.table(head, all.map(rowOf), "No keys.");
      }),
    );

  keys
    .command("get")
    .argument("<key>", keyHelp)
    .description("Show a key (never its secret)")
    .option("--json", "print JSON")
    .action(
      context.action(async (reference: string, flags: { json?: boolean }) => {
        const key = await context.client.keys.get(await resolveKeyId(context.client, reference));
        if (flags.json) return output.json(key);
        output.record(fieldsOf(key));
      }),
    );

  keys
    .command("update")
    .argument("<key>", keyHelp)
    .description("Change a key's name, scopes, expiry, rotation, allowlist, rate limit or metadata")
    .option("--name <name>", "new name")
    .option("--scope <scope>", "the key's scopes, replacing the current ones (repeat for more)", repeatable)
    .option("--expires-at <time>", "new RFC 3339 expiry")
    .option("--clear-expiry", "remove the expiry")
    .option("--rotate-every <duration>", "new rotation schedule, e.g. 30d")
    .option("--grace-period <duration>", "new grace period, e.g. 24h")
    .option("--clear-rotation", "remove the rotation schedule")
    .option("--ip <cidr>", "the allowlist, replacing the current one (repeat for more)", repeatable)
    .option("--clear-ip-allowlist", "remove the allowlist")
    .option("--rate-limit <requests/window>", "new per-key limit, e.g. 100/1m")
    .option("--clear-rate-limit", "remove the rate limit")
    .option("--metadata <key=value>", "the metadata, replacing the current entries (repeat for more)", repeatable)
    .option("--destination <destination>", `the destinations, replacing the current ones (repeat for more): ${DESTINATION_EXAMPLE}`, repeatable)
    .option("--clear-destinations", "remove every destination")
    .option("--json", "print JSON")
    .action(
      context.action(async (reference: string, flags: UpdateFlags) => {
        const id = await resolveKeyId(context.client, reference);
        const key = await context.client.keys.update(id, await patchOf(context.client, id, flags));
        if (flags.json) return output.json(key);
        output.record(fieldsOf(key));
      }),
    );

  keys
    .command("rotate")
    .argument("<key>", keyHelp)
    .description("Issue a new secret, printed once alone on stdout; the previous one works for the grace period")
    .option("--grace-period <duration>", "override the key's grace period, e.g. 1h")
    .option("--idempotency-key <key>", "makes a repeated rotation return the first answer instead of rotating again")
    .option("--json", "print JSON (includes the new secret)")
    .action(
      context.action(async (reference: string, flags: { gracePeriod?: string; idempotencyKey?: string; json?: boolean }) => {
        const id = await resolveKeyId(context.client, reference);
        const rotated = await context.client.keys.rotate(
          id,
          flags.gracePeriod !== undefined ? { grace_period: flags.gracePeriod } : {},
          flags.idempotencyKey !== undefined ? { idempotencyKey: flags.idempotencyKey } : {},
        );
        if (flags.json) return output.json({ key: rotated.key, secret: rotated.secret.reveal(), previous: rotated.previous });
        output.record(
          [
            ["id", rotated.key.id],
            ["version", rotated.key.version],
            ["hint", rotated.key.hint],
            ["previous version", rotated.previous.version],
            ["previous valid until", rotated.previous.expires_at ?? "revoked"],
          ],
          "stderr",
        );
        output.notice("The new secret follows on stdout. It is shown this once: store it now.");
        output.line(rotated.secret.reveal());
      }),
    );

  for (const [verb, description, run] of [
    ["rollback", "Undo the latest rotation while the previous secret still works", (id: string) => context.client.keys.rollback(id)],
    ["revoke", "Revoke every secret of the key, now", (id: string) => context.client.keys.revoke(id)],
  ] as const) {
    keys
      .command(verb)
      .argument("<key>", keyHelp)
      .description(description)
      .option("--json", "print JSON")
      .action(
        context.action(async (reference: string, flags: { json?: boolean }) => {
          const key = await run(await resolveKeyId(context.client, reference));
          if (flags.json) return output.json(key);
          output.record(fieldsOf(key));
        }),
      );
  }

  keys
    .command("delete")
    .argument("<key>", keyHelp)
    .description("Revoke and delete a key")
    .option("--json", "print JSON")
    .action(
      context.action(async (reference: string, flags: { json?: boolean }) => {
        const id = await resolveKeyId(context.client, reference);
        await context.client.keys.delete(id);
        if (flags.json) return output.json({ deleted: id });
        output.notice(`Deleted key ${id}.`);
      }),
    );

  keys
    .command("usage")
    .argument("<key>", keyHelp)
    .description("Verification counts by outcome per hour or day, and the last use")
    .option("--since <time>", "RFC 3339 start")
    .option("--granularity <unit>", "hour or day", "day")
    .option("--json", "print JSON")
    .action(
      context.action(async (reference: string, flags: { since?: string; granularity: string; json?: boolean }) => {
        const id = await resolveKeyId(context.client, reference);
        const usage = await context.client.keys.usage(id, {
          granularity: flags.granularity as "hour" | "day",
          ...(flags.since !== undefined && { since: flags.since }),
        });
        if (flags.json) return output.json(usage);
        const codes = [...new Set(usage.buckets.flatMap((bucket) => Object.keys(bucket.counts)))].sort();
        output.table(["START", ...codes], usage.buckets.map((bucket) => [bucket.start, ...codes.map((code) => bucket.counts[code as keyof typeof bucket.counts] ?? 0)]), "No verifications in this period.");
        output.notice(`Last used: ${usage.last_used_at ?? "never"}${usage.last_used_ip ? ` from ${usage.last_used_ip}` : ""}`);
      }),
    );
}
