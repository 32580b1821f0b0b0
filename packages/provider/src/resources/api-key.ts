import { ConflictError, type ApiKey, type Keyward, type UpdateKeyParams } from "@keyward/client";
import { describeDestination, type Environment, KEY_ID_PATTERN, keySecretProblem, Secret } from "@keyward/contract";
import { apiKeyComputedAttributes, apiKeyValues, keepEquivalentSpelling } from "../api-key-attributes";
import { check, checkEach, checkMetadata, checkRateLimit, checkRotation, type Rule, rules } from "../configuration-rules";
import { cty, type Diagnostic, DiagnosticError, Diagnostics, isObjectValue, type ObjectValue, type OperationContext, type ResourceDefinition, UNKNOWN, type Value, valuesEqual } from "@keyward/terraform-plugin";
import { DELIVERY_GRACE_PERIOD, deliverOrUndo, missingGitHubToken, prepareDelivery } from "../key-delivery";
import { addedDestinations, checkDestinations, declaresDestinations, destinationBlock, destinationBlockValue, destinationsOf, sameDestinations } from "../key-destinations";
import { policyDiagnostics } from "../key-policy-check";
import { scopeKey, type KeywardContext } from "../provider-context";
import { request, unlessNotFound } from "../request-failure";

/**
 * `keyward_api_key` (SPEC §6, §13). Settings update in place, project or environment replace the
 * key, a change of `rotation_triggers` (or of `secret_wo_version`) rotates it. A key with
 * `destination` blocks or a write-only `secret_wo` never has its secret in the plan or state: the
 * provider delivers it (or the caller already holds it) and `secret` stays null. Otherwise `secret`
 * is the fallback that holds it, known only for a version Terraform itself issued: after a rotation
 * elsewhere (the GitHub Action) it is null, never stale. A key revoked or deleted elsewhere reads
 * as gone, so Terraform plans to create it again.
 */
const UPDATABLE = ["name", "scopes", "expires_at", "rotation", "ip_allowlist", "rate_limit", "metadata"] as const;
/** What a rotation changes. */
const ROTATED = ["version", "hint", "secret", "status", "rotated_at", "next_rotation_at", "rotation_due"] as const;

const graceStart: Rule = (value, path) =>
  value === "immediately" || value === "on_first_use" ? undefined : Diagnostics.invalidAttribute(path, `${JSON.stringify(value)} is not when a grace period starts. Expected "immediately" or "on_first_use".`);

export const apiKeyResource: ResourceDefinition<KeywardContext> = {
  typeName: "keyward_api_key",
  schema: {
    description:
      "An API key: bound to one project and environment, holding scopes of the project's catalog, optionally rotated on a schedule. Keep its secret out of the Terraform state with `destination` blocks (the provider writes it to GitHub secrets) or with `secret_wo` from `ephemeral \"keyward_secret\"` (for any other secret store); otherwise it is held, as the fallback, in the sensitive `secret` attribute.",
    attributes: {
      id: { type: cty.string, computed: true, description: "Key id (`key_` and 20 letters or digits)." },
      project: { type: cty.string, required: true, requiresReplace: true, description: "Project name." },
      environment: { type: cty.string, required: true, requiresReplace: true, description: "`test` or `live`." },
      name: { type: cty.string, required: true, description: "Name, unique per project and environment." },
      scopes: {
        type: cty.set(cty.string),
        required: true,
        description: "Scopes the key holds; each must be in the project's catalog (declare it with `keyward_scope` and reference it, so it is created first).",
      },
      expires_at: { type: cty.string, optional: true, description: "When the key stops verifying (RFC 3339), e.g. `2027-06-30T00:00:00Z`." },
      rotation: {
        optional: true,
        description: "Rotation schedule; rotations are performed by the GitHub Action or `keyward keys rotate`.",
        attributes: {
          every: { type: cty.string, required: true, description: "Rotation period, e.g. `30d`." },
          grace_period: { type: cty.string, required: true, description: "How long the previous secret keeps verifying after a rotation, e.g. `24h`; at most `every`." },
          grace_starts: {
            type: cty.string,
            optional: true,
            description:
              "`immediately` (default): the grace period starts at the rotation; `on_first_use`: at the new secret's first successful verification, never later than the project policy's `max_grace_period` (default `7d`) after the rotation.",
          },
        },
      },
      ip_allowlist: { type: cty.list(cty.string), optional: true, description: "CIDR blocks (IPv4 or IPv6) the key may be used from." },
      rate_limit: {
        optional: true,
        description: "Verification rate limit.",
        attributes: {
          requests: { type: cty.number, required: true, description: "Requests allowed per window (1-1000000)." },
          window: { type: cty.string, required: true, description: "Window length, e.g. `1m`." },
        },
      },
      metadata: { type: cty.map(cty.string), optional: true, description: "Up to 32 string entries returned with a successful verification." },
      rotation_triggers: {
        type: cty.map(cty.string),
        optional: true,
        description:
          "Arbitrary values; changing any of them rotates the key on apply (new version and secret, the previous secret valid for the grace period). Adding triggers to a key that has none, or removing them, does not rotate it.",
      },
      secret_wo: {
        type: cty.string,
        optional: true,
        writeOnly: true,
        sensitive: true,
        description:
          "Write-only (Terraform 1.11+): the secret to issue, usually `ephemeral.keyward_secret.<name>.secret`. Used when the key is created and whenever `secret_wo_version` changes; never stored in the plan or state.",
      },
      secret_wo_version: {
        type: cty.number,
        optional: true,
        description: "Set it with `secret_wo` to issue the key with that secret; change it to rotate the key to the current `secret_wo`.",
      },
      ...apiKeyComputedAttributes,
      secret: {
        type: cty.string,
        computed: true,
        sensitive: true,
        description:
          "The fallback that keeps the secret in the Terraform state: the current secret when Terraform issued it (creation or a `rotation_triggers` rotation), null after a rotation done elsewhere, and always null for a key with a `destination` or `secret_wo`.",
      },
    },
    blocks: { destination: { nesting: "list", block: destinationBlock, maxItems: 20 } },
  },

  validate(config) {
    return [
      ...check(config, ["project"], rules.projectName),
      ...check(config, ["environment"], rules.environment),
      ...check(config, ["name"], rules.keyName),
      ...checkEach(config, ["scopes"], rules.scopeName),
      ...check(config, ["expires_at"], rules.timestamp),
      ...checkRotation(config, ["rotation"]),
      ...check(config, ["rotation", "grace_starts"], graceStart),
      ...checkEach(config, ["ip_allowlist"], rules.cidr),
      ...checkRateLimit(config, ["rate_limit"]),
      ...checkMetadata(config, ["metadata"]),
      ...checkDestinations(config),
      ...checkWriteOnlySecret(config),
    ];
  },

  async plan(context, { prior, config, planned }) {
    const diagnostics = prior && valuesEqual(prior.scopes ?? null, planned.scopes ?? null) ? [] : await undeclaredScopes(context, planned);
    diagnostics.push(...(await policyDiagnostics(context.client, prior, planned, new Date())));
    const adjusted: ObjectValue = { ...planned };
    const issuing = !prior || rotates(prior, planned);
    if (prior && issuing) {
      for (const attribute of ROTATED) adjusted[attribute] = UNKNOWN;
    }
    // The point of destinations and secret_wo: the plan (and then the state) never holds the secret.
    if (keepsSecretOutOfState(config)) adjusted.secret = null;
    if (issuing && declaresDestinations(config) && !context.client.github) diagnostics.push(missingGitHubToken(`key "${String(planned.name)}"`));
    if (!prior) return { planned: adjusted, diagnostics };
    const added = addedDestinations(prior.destination, planned);
    if (added.length > 0 && !issuing) diagnostics.push(destinationAddedWarning(added.map(describeDestination)));
    if (!valuesEqual(prior.rotation ?? null, planned.rotation ?? null)) Object.assign(adjusted, { next_rotation_at: UNKNOWN, rotation_due: UNKNOWN });
    if (!valuesEqual(prior.expires_at ?? null, planned.expires_at ?? null)) adjusted.status = UNKNOWN;
    return { planned: adjusted, diagnostics };
  },

  async create({ client }, { planned, config }) {
    forgetListing(client, planned);
    const destinations = destinationsOf(planned);
    const supplied = suppliedSecret(planned, config);
    const params = {
      project: planned.project as string,
      environment: planned.environment as "test" | "live",
      name: planned.name as string,
      scopes: planned.scopes as string[],
      ...settings(planned),
      ...(destinations.length > 0 ? { destinations } : {}),
      ...(supplied ? { secret: supplied } : {}),
    };
    const label = `key "${params.name}" in ${params.project}/${params.environment}`;
    const delivery = await prepareDelivery(client, label, destinations);
    const action = `create ${label}`;
    const created = await request(action, async () => {
      try {
        return await client.keyward.keys.create(params);
      } catch (error) {
        // A key revoked outside Terraform still holds its name: it is dead, so make room.
        if (!(error instanceof ConflictError) || !(await deleteRevokedNamesake(client.keyward, params))) throw error;
        return client.keyward.keys.create(params);
      }
    });
    await deliverOrUndo(delivery, created.secret, label, {
      done: "The key was deleted, so no secret of it exists",
      failed: `key ${created.key.id} exists; delete it with keyward keys delete before applying again`,
      run: () => client.keyward.keys.delete(created.key.id),
    });
    return keyState(created.key, planned, { secret: keepsSecretOutOfState(config) ? null : created.secret.reveal() });
  },

  async read({ client }, state) {
    const id = state.id as string;
    const where = placeOf(state);
    const key = await request(`read key ${id}`, () => (where ? client.keyListing.read(id, where) : unlessNotFound(() => client.keyward.keys.get(id))));
    if (!key || key.status === "revoked") return null;
    const secret = key.version === state.version && key.destinations.length === 0 ? (state.secret ?? null) : null;
    const fresh = keyState(key, state, { secret, destination: key.destinations.map(destinationBlockValue) });
    const kept = keepEquivalentSpelling(state, fresh);
    // `app = "actions"` is the default the API spells out; the configuration may leave it unset.
    if (Array.isArray(state.destination) && sameDestinations(state.destination, fresh.destination)) kept.destination = state.destination;
    return kept;
  },

  async update({ client }, { prior, planned, config }) {
    const id = prior.id as string;
    forgetListing(client, prior);
    const destinations = destinationsOf(planned);
    const patch = changedSettings(prior, planned);
    if (!sameDestinations(prior.destination, planned.destination)) patch.destinations = destinations;
    const outOfState = keepsSecretOutOfState(config);
    let key: ApiKey | undefined;
    if (Object.keys(patch).length > 0) key = await request(`update key ${id}`, () => client.keyward.keys.update(id, patch));
    if (!rotates(prior, planned)) {
      key ??= await request(`read key ${id}`, () => client.keyward.keys.get(id));
      const secret = key.version === prior.version && !outOfState ? (prior.secret ?? null) : null;
      return keyState(key, planned, { secret });
    }
    const label = `key "${String(planned.name)}" (${id})`;
    const delivery = await prepareDelivery(client, label, destinations);
    const rotation = planned.rotation as ObjectValue | null;
    const supplied = suppliedSecret(planned, config);
    const gracePeriod = rotation && typeof rotation.grace_period === "string" ? rotation.grace_period : delivery ? DELIVERY_GRACE_PERIOD : undefined;
    const params = {
      ...(gracePeriod ? { grace_period: gracePeriod } : {}),
      ...(supplied ? { secret: supplied } : {}),
    };
    const rotated = await request(`rotate key ${id}`, () => client.keyward.keys.rotate(id, params));
    await deliverOrUndo(delivery, rotated.secret, label, {
      done: "The rotation was rolled back; the previous secret keeps working",
      failed: "the new secret stays current and only the destinations written so far hold it; rotate again once the destination accepts writes",
      run: () => client.keyward.keys.rollback(id),
    });
    return keyState(rotated.key, planned, { secret: outOfState ? null : rotated.secret.reveal() });
  },

  async delete({ client }, prior) {
    const id = prior.id as string;
    forgetListing(client, prior);
    await request(`delete key ${id}`, () => unlessNotFound(() => client.keyward.keys.delete(id)));
  },

  async importState(_context, id) {
    if (!KEY_ID_PATTERN.test(id)) {
      throw new DiagnosticError([Diagnostics.unsupported("Invalid import id", `"${id}" is not a key id. Expected key_ and 20 letters or digits, as printed by keyward keys list.`)]);
    }
    return { id };
  },
};

/**
 * A rotation is triggered by changing values that were already set. Adding triggers to a key that
 * had none (for instance right after `terraform import`) or removing them only records the change.
 */
function triggersChanged(prior: ObjectValue, planned: ObjectValue): boolean {
  const before = prior.rotation_triggers ?? null;
  const after = planned.rotation_triggers ?? null;
  if (before === null || after === null) return false;
  return !valuesEqual(before, after);
}

/**
 * A rotation is due on apply when the triggers changed, or when `secret_wo_version` changed to a
 * new value (set it to issue the current `secret_wo`; removing it does not rotate).
 */
function rotates(prior: ObjectValue, planned: ObjectValue): boolean {
  const version = planned.secret_wo_version ?? null;
  return triggersChanged(prior, planned) || (version !== null && !valuesEqual(prior.secret_wo_version ?? null, version));
}

/** Destinations deliver the secret and `secret_wo` is already the caller's: neither leaves it in state. */
function keepsSecretOutOfState(config: ObjectValue): boolean {
  return declaresDestinations(config) || (config.secret_wo_version ?? null) !== null || (config.secret_wo ?? null) !== null;
}

/** The write-only secret to issue, when `secret_wo_version` asks for it (checked at plan time). */
function suppliedSecret(planned: ObjectValue, config: ObjectValue): Secret | undefined {
  if ((planned.secret_wo_version ?? null) === null || typeof config.secret_wo !== "string") return undefined;
  return new Secret(config.secret_wo);
}

function checkWriteOnlySecret(config: ObjectValue): Diagnostic[] {
  const secret = config.secret_wo ?? null;
  const version = config.secret_wo_version ?? null;
  if (version === null && typeof secret === "string") {
    return [Diagnostics.missingAttribute(["secret_wo_version"], "secret_wo is used only with secret_wo_version: set secret_wo_version = 1 to issue the key with it, and change it to rotate.")];
  }
  if (typeof version === "number" && secret === null) {
    return [Diagnostics.missingAttribute(["secret_wo"], "secret_wo_version needs secret_wo, e.g. secret_wo = ephemeral.keyward_secret.<name>.secret.")];
  }
  if (typeof secret !== "string") return [];
  // Never quote the value: it is a secret.
  const environment = config.environment === "test" || config.environment === "live" ? (config.environment as Environment) : undefined;
  const problem = environment ? keySecretProblem(secret, environment) : undefined;
  return problem ? [Diagnostics.invalidAttribute(["secret_wo"], `The secret ${problem}. Generate it with ephemeral "keyward_secret" { environment = "${environment}" }.`)] : [];
}

function destinationAddedWarning(added: readonly string[]): Diagnostic {
  return Diagnostics.warning(
    "New destination takes effect at the next rotation",
    `The key's current secret is not stored anywhere, so it cannot be copied to ${added.join(", ")}. The new destination receives a secret at the next rotation: change rotation_triggers (or secret_wo_version) or rotate the key with the GitHub Action.`,
    ["destination"],
  );
}

/** Where a key in the state lives, for reads through the listing; undefined for an imported id alone. */
function placeOf(state: ObjectValue): { project: string; environment: string } | undefined {
  return typeof state.project === "string" && typeof state.environment === "string" ? { project: state.project, environment: state.environment } : undefined;
}

/** A write to a key: reads in this process after it list the key's environment afresh. */
function forgetListing(client: KeywardContext, state: ObjectValue): void {
  const where = placeOf(state);
  if (where) client.keyListing.forget(where);
}

function keyState(key: ApiKey, planned: ObjectValue, extra: { secret: Value; destination?: Value }): ObjectValue {
  return {
    ...apiKeyValues(key),
    rotation_triggers: planned.rotation_triggers ?? null,
    secret_wo: null,
    secret_wo_version: planned.secret_wo_version ?? null,
    destination: extra.destination ?? planned.destination ?? [],
    secret: extra.secret,
  };
}

/** The optional settings of a create, leaving out the ones not configured. */
function settings(planned: ObjectValue) {
  const rotation = planned.rotation as { every: string; grace_period: string; grace_starts: "immediately" | "on_first_use" | null } | null;
  const rateLimit = planned.rate_limit as { requests: number; window: string } | null;
  return {
    ...(planned.expires_at !== null ? { expires_at: planned.expires_at as string } : {}),
    ...(rotation ? { rotation: { every: rotation.every, grace_period: rotation.grace_period, grace_starts: rotation.grace_starts } } : {}),
    ...(planned.ip_allowlist !== null ? { ip_allowlist: planned.ip_allowlist as string[] } : {}),
    ...(rateLimit ? { rate_limit: { requests: rateLimit.requests, window: rateLimit.window } } : {}),
    ...(isObjectValue(planned.metadata ?? null) ? { metadata: planned.metadata as Record<string, string> } : {}),
  };
}

/** A PATCH of what changed; a removed optional setting is sent as null (metadata as empty). */
function changedSettings(prior: ObjectValue, planned: ObjectValue): UpdateKeyParams & Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const attribute of UPDATABLE) {
    const value = planned[attribute] ?? null;
    if (valuesEqual(prior[attribute] ?? null, value)) continue;
    patch[attribute] = attribute === "metadata" && value === null ? {} : value;
  }
  return patch as UpdateKeyParams;
}

async function deleteRevokedNamesake(keyward: Keyward, key: { project: string; environment: "test" | "live"; name: string }): Promise<boolean> {
  const page = await keyward.keys.page({ project: key.project, environment: key.environment, name: key.name, status: "revoked" });
  const namesake = page.data.find((candidate) => candidate.name === key.name);
  if (!namesake) return false;
  await keyward.keys.delete(namesake.id);
  return true;
}

/**
 * Scopes named by the key that are neither in the project's catalog nor planned by a
 * `keyward_scope` of this run: caught at plan time, before anything is created.
 */
async function undeclaredScopes({ client }: OperationContext<KeywardContext>, planned: ObjectValue): Promise<Diagnostic[]> {
  const project = planned.project;
  const scopes = planned.scopes;
  if (typeof project !== "string" || !Array.isArray(scopes)) return [];
  const named = scopes.filter((scope): scope is string => typeof scope === "string");
  if (named.every((scope) => client.plannedScopes.has(scopeKey(project, scope)))) return [];
  const declared = await catalogOf(client, project);
  const missing = named.filter((scope) => !declared.has(scope) && !client.plannedScopes.has(scopeKey(project, scope)));
  return missing.map((scope) =>
    Diagnostics.invalidAttribute(
      ["scopes"],
      `Scope "${scope}" is not in the catalog of project "${project}". Declare it with a keyward_scope resource and reference it (keyward_scope.<name>.name), or create it with \`keyward scopes create\`.`,
    ),
  );
}

function catalogOf(client: KeywardContext, project: string): Promise<ReadonlySet<string>> {
  let catalog = client.catalogs.get(project);
  if (!catalog) {
    catalog = request(`read the scope catalog of project "${project}"`, () => unlessNotFound(() => client.keyward.scopes.list(project).toArray())).then(
      (scopes) => new Set((scopes ?? []).map((scope) => scope.name)),
    );
    // A failed read is not remembered: the next key asks again.
    catalog.catch(() => client.catalogs.delete(project));
    client.catalogs.set(project, catalog);
  }
  return catalog;
}
