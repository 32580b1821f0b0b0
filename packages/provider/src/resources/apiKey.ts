import { ConflictError, type ApiKey, type Keyward, type UpdateKeyParams } from "@keyward/client";
import { KEY_ID_PATTERN } from "@keyward/contract";
import { apiKeyComputedAttributes, apiKeyValues, keepEquivalentSpelling } from "../apiKeyAttributes";
import { check, checkEach, checkMetadata, checkRateLimit, checkRotation, rules } from "../configurationRules";
import { cty, type Diagnostic, DiagnosticError, Diagnostics, isObjectValue, type ObjectValue, type OperationContext, type ResourceDefinition, UNKNOWN, type Value, valuesEqual } from "@keyward/terraform-plugin";
import { scopeKey, type KeywardContext } from "../providerContext";
import { request, unlessNotFound } from "../requestFailure";

/**
 * `keyward_api_key` (SPEC §6). Settings update in place, project or environment replace the key,
 * a change of `rotation_triggers` rotates it. `secret` is known only for a version Terraform itself
 * issued: after a rotation elsewhere (the GitHub Action) it is null, never stale. A key revoked or
 * deleted elsewhere reads as gone, so Terraform plans to create it again.
 */
const UPDATABLE = ["name", "scopes", "expires_at", "rotation", "ip_allowlist", "rate_limit", "metadata"] as const;
/** What a rotation changes. */
const ROTATED = ["version", "hint", "secret", "status", "rotated_at", "next_rotation_at", "rotation_due"] as const;

export const apiKeyResource: ResourceDefinition<KeywardContext> = {
  typeName: "keyward_api_key",
  schema: {
    description: "An API key: bound to one project and environment, holding scopes of the project's catalog, optionally rotated on a schedule. Its secret is shown once, as the sensitive `secret` attribute.",
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
      ...apiKeyComputedAttributes,
      secret: {
        type: cty.string,
        computed: true,
        sensitive: true,
        description: "The current secret, when Terraform issued it (creation or a `rotation_triggers` rotation); null after a rotation done elsewhere.",
      },
    },
  },

  validate(config) {
    return [
      ...check(config, ["project"], rules.projectName),
      ...check(config, ["environment"], rules.environment),
      ...check(config, ["name"], rules.keyName),
      ...checkEach(config, ["scopes"], rules.scopeName),
      ...check(config, ["expires_at"], rules.timestamp),
      ...checkRotation(config, ["rotation"]),
      ...checkEach(config, ["ip_allowlist"], rules.cidr),
      ...checkRateLimit(config, ["rate_limit"]),
      ...checkMetadata(config, ["metadata"]),
    ];
  },

  async plan(context, { prior, planned }) {
    const diagnostics = prior && valuesEqual(prior.scopes ?? null, planned.scopes ?? null) ? [] : await undeclaredScopes(context, planned);
    if (!prior) return { diagnostics };
    const adjusted: ObjectValue = { ...planned };
    if (triggersChanged(prior, planned)) {
      for (const attribute of ROTATED) adjusted[attribute] = UNKNOWN;
    }
    if (!valuesEqual(prior.rotation ?? null, planned.rotation ?? null)) Object.assign(adjusted, { next_rotation_at: UNKNOWN, rotation_due: UNKNOWN });
    if (!valuesEqual(prior.expires_at ?? null, planned.expires_at ?? null)) adjusted.status = UNKNOWN;
    return { planned: adjusted, diagnostics };
  },

  async create({ client }, { planned }) {
    const params = {
      project: planned.project as string,
      environment: planned.environment as "test" | "live",
      name: planned.name as string,
      scopes: planned.scopes as string[],
      ...settings(planned),
    };
    const action = `create key "${params.name}" in ${params.project}/${params.environment}`;
    const created = await request(action, async () => {
      try {
        return await client.keyward.keys.create(params);
      } catch (error) {
        // A key revoked outside Terraform still holds its name: it is dead, so make room.
        if (!(error instanceof ConflictError) || !(await deleteRevokedNamesake(client.keyward, params))) throw error;
        return client.keyward.keys.create(params);
      }
    });
    return keyState(created.key, { secret: created.secret.reveal(), rotation_triggers: planned.rotation_triggers ?? null });
  },

  async read({ client }, state) {
    const id = state.id as string;
    const key = await request(`read key ${id}`, () => unlessNotFound(() => client.keyward.keys.get(id)));
    if (!key || key.status === "revoked") return null;
    const secret = key.version === state.version ? (state.secret ?? null) : null;
    return keepEquivalentSpelling(state, keyState(key, { secret, rotation_triggers: state.rotation_triggers ?? null }));
  },

  async update({ client }, { prior, planned }) {
    const id = prior.id as string;
    const patch = changedSettings(prior, planned);
    let key: ApiKey | undefined;
    if (Object.keys(patch).length > 0) key = await request(`update key ${id}`, () => client.keyward.keys.update(id, patch));
    if (!triggersChanged(prior, planned)) {
      key ??= await request(`read key ${id}`, () => client.keyward.keys.get(id));
      const secret = key.version === prior.version ? (prior.secret ?? null) : null;
      return keyState(key, { secret, rotation_triggers: planned.rotation_triggers ?? null });
    }
    const rotation = planned.rotation as ObjectValue | null;
    const gracePeriod = rotation && typeof rotation.grace_period === "string" ? { grace_period: rotation.grace_period } : {};
    const rotated = await request(`rotate key ${id}`, () => client.keyward.keys.rotate(id, gracePeriod));
    return keyState(rotated.key, { secret: rotated.secret.reveal(), rotation_triggers: planned.rotation_triggers ?? null });
  },

  async delete({ client }, prior) {
    const id = prior.id as string;
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

function keyState(key: ApiKey, extra: { secret: Value; rotation_triggers: Value }): ObjectValue {
  return { ...apiKeyValues(key), ...extra };
}

/** The optional settings of a create, leaving out the ones not configured. */
function settings(planned: ObjectValue) {
  const rotation = planned.rotation as { every: string; grace_period: string } | null;
  const rateLimit = planned.rate_limit as { requests: number; window: string } | null;
  return {
    ...(planned.expires_at !== null ? { expires_at: planned.expires_at as string } : {}),
    ...(rotation ? { rotation: { every: rotation.every, grace_period: rotation.grace_period } } : {}),
    ...(planned.ip_allowlist !== null ? { ip_allowlist: planned.ip_allowlist as string[] } : {}),
    ...(rateLimit ? { rate_limit: { requests: rateLimit.requests, window: rateLimit.window } } : {}),
    ...(isObjectValue(planned.metadata ?? null) ? { metadata: planned.metadata as Record<string, string> } : {}),
  };
}

/** A PATCH of what changed; a removed optional setting is sent as null (metadata as empty). */
function changedSettings(prior: ObjectValue, planned: ObjectValue): UpdateKeyParams {
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
