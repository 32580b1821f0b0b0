import type { ApiKey, Keyward, RotatedKey } from "@keyward/client";
import { ActionError, describeError } from "./action-error";
import { formatKeyReference } from "./key-reference";
import { resolveKey } from "./key-resolver";
import { type KeyOutcome, rotatedOutput, rotationFailure, rotationSummary, type TargetOutcome } from "./rotation-report";
import type { Runner } from "./runner";
import {
  describeDestination,
  type GitHubPublicKey,
  GitHubRequestError,
  type GitHubSecrets,
  sealSecret,
  type SecretDestination,
  secretWriteIdentity,
  secretWriteOf,
} from "@keyward/github-secrets";
import { selectKeys } from "./key-selector";
import type { Settings } from "./settings";
import type { Target } from "./target";

export interface RotateDependencies {
  readonly keyward: Keyward;
  readonly github: GitHubSecrets;
  readonly runner: Runner;
  /** A fresh `Idempotency-Key` per rotation; the client reuses it across its retries. */
  readonly newIdempotencyKey: () => string;
}

/** A key with every target it feeds and what GitHub needs to write them, all checked up front. */
interface PreparedKey {
  readonly key: ApiKey;
  readonly targets: readonly Target[];
}

interface Prepared {
  readonly keys: readonly PreparedKey[];
  /** Replaced for a destination whose key pair GitHub changed during the run. */
  readonly publicKeys: Map<string, GitHubPublicKey>;
  readonly repositoryIds: ReadonlyMap<string, number>;
}

/**
 * Rotate mode (SPEC §7). First everything that can fail without changing anything: resolve every
 * key, resolve selected repositories to ids, fetch the public key of every target (which proves
 * the GitHub token may write there). Then, key by key: rotate with an idempotency key, mask the new
 * secret before anything else is printed, seal it for each target and PUT it. A key whose writes
 * do not all succeed is rolled back so its previous secret keeps working; the other keys go on,
 * and the step fails at the end naming what failed and what was rolled back.
 */
export async function rotateKeys(settings: Settings, deps: RotateDependencies): Promise<void> {
  const prepared = await prepare(settings, deps);
  const outcomes: KeyOutcome[] = [];
  for (const { key, targets } of prepared.keys) {
    if (settings.onlyDue && !key.rotation_due) {
      outcomes.push({ key, status: "not-due", targets: await checkNotDueTargets(key, targets, deps) });
      continue;
    }
    if (settings.dryRun) {
      outcomes.push({ key, status: "dry-run", targets: targets.map((target) => ({ target, result: "skipped" })) });
      continue;
    }
    outcomes.push(await rotateOne(key, targets, prepared, settings, deps));
  }
  deps.runner.setOutput("rotated", JSON.stringify(rotatedOutput(outcomes)));
  await deps.runner.summary(rotationSummary(outcomes, settings));
  const failure = rotationFailure(outcomes);
  if (failure) throw new ActionError(failure);
}

async function prepare(settings: Settings, deps: RotateDependencies): Promise<Prepared> {
  const keys = withDeclaredDestinations(await resolveKeys(settings.targets, deps), await selectKeys(deps.keyward, settings.keys));
  const targets = keys.flatMap((key) => key.targets);
  const repositoryIds = await resolveSelectedRepositories(targets, deps);
  const publicKeys = await fetchPublicKeys(targets, deps);
  return { keys, publicKeys, repositoryIds };
}

/**
 * Every key rotated gets its secret in its declared destinations (SPEC §13), whether `keys`
 * selected it or a target named it, since a destination left out would hold a secret that stops
 * working; `targets` add to them. A key with neither is an error naming it, before any rotation.
 */
function withDeclaredDestinations(named: readonly PreparedKey[], selected: readonly ApiKey[]): PreparedKey[] {
  const byId = new Map(named.map((prepared) => [prepared.key.id, prepared]));
  for (const key of selected) if (!byId.has(key.id)) byId.set(key.id, { key, targets: [] });
  const keys = [...byId.values()].map(({ key, targets }) => {
    const written = new Set(targets.map((target) => secretWriteIdentity({ destination: target.destination, name: target.secret })));
    const declared = key.destinations
      .map(secretWriteOf)
      .filter((write) => !written.has(secretWriteIdentity(write)))
      .map((write) => ({ key: { kind: "id" as const, id: key.id }, secret: write.name, destination: write.destination }));
    return { key, targets: [...targets, ...declared] };
  });
  const bare = keys.filter(({ targets }) => targets.length === 0);
  if (bare.length > 0) {
    throw new ActionError(
      `${bare.map(({ key }) => `Key ${describeKey(key)}`).join(", ")} has no destinations and no target, so its new secret would go nowhere; nothing was rotated. Declare destinations on the key (Terraform destination blocks, keyward keys update --destination) or add a target for it.`,
    );
  }
  return keys;
}

/** Every key before any GitHub call, so an unknown key costs nothing. */
async function resolveKeys(targets: readonly Target[], deps: RotateDependencies): Promise<PreparedKey[]> {
  const byReference = new Map<string, Target[]>();
  for (const target of targets) {
    const reference = formatKeyReference(target.key);
    byReference.set(reference, [...(byReference.get(reference) ?? []), target]);
  }
  const byId = new Map<string, PreparedKey>();
  for (const group of byReference.values()) {
    const key = await resolveKey(deps.keyward, group[0]!.key);
    if (key.status !== "active") {
      throw new ActionError(`Key '${formatKeyReference(group[0]!.key)}' (${key.id}) is ${key.status}; only an active key can be rotated.`);
    }
    const existing = byId.get(key.id);
    byId.set(key.id, { key, targets: [...(existing?.targets ?? []), ...group] });
  }
  deps.runner.info(`Resolved ${byId.size} key(s) for ${targets.length} target(s).`);
  return [...byId.values()];
}

async function resolveSelectedRepositories(targets: readonly Target[], deps: RotateDependencies): Promise<Map<string, number>> {
  const names = new Set(targets.flatMap(({ destination }) => (destination.kind === "organization" ? destination.selectedRepositories : [])));
  const ids = new Map<string, number>();
  const problems: string[] = [];
  for (const name of names) {
    try {
      ids.set(name, await deps.github.repositoryId(name));
    } catch (error) {
      problems.push(`repository ${name}: ${describeError(error)}`);
    }
  }
  if (problems.length > 0) {
    throw new ActionError(`Could not resolve selected repositories; nothing was rotated.\n${problems.map((p) => `- ${p}`).join("\n")}`);
  }
  return ids;
}

/** One public key per destination; a destination the token cannot write stops the run here. */
async function fetchPublicKeys(targets: readonly Target[], deps: RotateDependencies): Promise<Map<string, GitHubPublicKey>> {
  const keys = new Map<string, GitHubPublicKey>();
  const problems = new Map<string, string>();
  for (const { destination } of targets) {
    const id = destinationId(destination);
    if (keys.has(id) || problems.has(id)) continue;
    try {
      const publicKey = await deps.github.publicKey(destination);
      deps.runner.debug(`Public key ${publicKey.key_id} of ${describeDestination(destination)}: the token may write there.`);
      keys.set(id, publicKey);
    } catch (error) {
      problems.set(id, `${describeDestination(destination)}: ${describeError(error)}`);
    }
  }
  if (problems.size > 0) {
    throw new ActionError(
      `The GitHub token cannot write secrets to every target; nothing was rotated.\n${[...problems.values()].map((p) => `- ${p}`).join("\n")}\nSee the action's README for the permissions github-token needs.`,
    );
  }
  return keys;
}

/** How much older than the key's last rotation a secret may look before it is called stale. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * A key that is not due keeps its secret, but a target that never received the current version
 * (a run that died between rotating and writing, or a target added since) would break when the
 * previous secret's grace period ends: say so, with what to do.
 */
async function checkNotDueTargets(key: ApiKey, targets: readonly Target[], deps: RotateDependencies): Promise<TargetOutcome[]> {
  const current = Date.parse(key.rotated_at ?? key.created_at);
  const outcomes: TargetOutcome[] = [];
  for (const target of targets) {
    const updatedAt = await deps.github.secretUpdatedAt(target.destination, target.secret);
    const stale = updatedAt === undefined || Date.parse(updatedAt) < current - CLOCK_SKEW_MS;
    if (stale) {
      const state = updatedAt === undefined ? "does not exist" : `was last written at ${updatedAt}`;
      deps.runner.warning(
        `${target.secret} in ${describeDestination(target.destination)} ${state}, before version ${key.version} of ${describeKey(key)} was issued. Run without only-due to rotate it into place now.`,
      );
    }
    outcomes.push({ target, result: stale ? "stale" : "skipped" });
  }
  return outcomes;
}

async function rotateOne(key: ApiKey, targets: readonly Target[], prepared: Prepared, settings: Settings, deps: RotateDependencies): Promise<KeyOutcome> {
  let rotated: RotatedKey;
  try {
    rotated = await deps.keyward.keys.rotate(key.id, settings.gracePeriod ? { grace_period: settings.gracePeriod } : {}, {
      idempotencyKey: deps.newIdempotencyKey(),
    });
  } catch (error) {
    deps.runner.warning(`Could not rotate ${describeKey(key)}: ${describeError(error)}`);
    return { key, status: "rotate-failed", targets: targets.map((target) => ({ target, result: "skipped" })), error: describeError(error) };
  }
  // First thing after the secret exists: from this line on the runner masks it everywhere.
  deps.runner.setSecret(rotated.secret.reveal());
  deps.runner.info(`Rotated ${describeKey(key)} to version ${rotated.key.version}.`);

  const results: TargetOutcome[] = [];
  for (const target of targets) results.push(await writeTarget(target, rotated, prepared, deps));
  if (results.every((result) => result.result === "created" || result.result === "updated")) {
    return { key, status: "rotated", version: rotated.key.version, previousExpiresAt: rotated.previous.expires_at, targets: results };
  }
  return rollBack(key, rotated, results, deps);
}

async function writeTarget(target: Target, rotated: RotatedKey, prepared: Prepared, deps: RotateDependencies): Promise<TargetOutcome> {
  const where = `${target.secret} in ${describeDestination(target.destination)}`;
  try {
    const result = await putSealed(target, rotated, prepared, deps);
    deps.runner.info(`Wrote ${where} (${result}).`);
    return { target, result };
  } catch (error) {
    const message = describeError(error);
    deps.runner.warning(`Could not write ${where}: ${message}`);
    return { target, result: "failed", error: message };
  }
}

/**
 * Seals for the destination's public key and writes. GitHub may replace a key pair between the
 * up-front fetch and the write (a long run); a 422 then gets one fresh key and one more try.
 */
async function putSealed(target: Target, rotated: RotatedKey, prepared: Prepared, deps: RotateDependencies): Promise<"created" | "updated"> {
  const id = destinationId(target.destination);
  const ids = target.destination.kind === "organization" ? target.destination.selectedRepositories.map((name) => prepared.repositoryIds.get(name) as number) : [];
  const publicKey = prepared.publicKeys.get(id) as GitHubPublicKey;
  try {
    return await deps.github.put(target.destination, target.secret, await sealSecret(rotated.secret, publicKey), ids);
  } catch (error) {
    if (!(error instanceof GitHubRequestError) || error.status !== 422) throw error;
    const fresh = await deps.github.publicKey(target.destination);
    if (fresh.key_id === publicKey.key_id) throw error;
    deps.runner.info(`The public key of ${describeDestination(target.destination)} changed during the run; sealing again for key ${fresh.key_id}.`);
    prepared.publicKeys.set(id, fresh);
    return deps.github.put(target.destination, target.secret, await sealSecret(rotated.secret, fresh), ids);
  }
}

/** Puts the previous secret back; targets already written hold the now revoked new one. */
async function rollBack(key: ApiKey, rotated: RotatedKey, results: TargetOutcome[], deps: RotateDependencies): Promise<KeyOutcome> {
  try {
    await deps.keyward.keys.rollback(key.id);
    deps.runner.warning(`Rolled back ${describeKey(key)}: its previous secret keeps working.`);
    return { key, status: "rolled-back", version: rotated.key.version, targets: results };
  } catch (error) {
    deps.runner.warning(`Could not roll back ${describeKey(key)}: ${describeError(error)}`);
    return { key, status: "rollback-failed", version: rotated.key.version, targets: results, error: describeError(error) };
  }
}

function describeKey(key: ApiKey): string {
  return `${key.project}/${key.environment}/${key.name} (${key.id})`;
}

function destinationId(destination: SecretDestination): string {
  switch (destination.kind) {
    case "repository":
      return `repo:${destination.repository.toLowerCase()}:${destination.app}`;
    case "environment":
      return `env:${destination.repository.toLowerCase()}:${destination.environment}`;
    case "organization":
      return `org:${destination.org.toLowerCase()}:${destination.app}`;
  }
}
