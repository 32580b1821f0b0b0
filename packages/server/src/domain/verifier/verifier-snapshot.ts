import type { Environment, VerifierKey, VerifierScopeQuery, VerifierSnapshot } from "@keyward/contract";
import type { KeyRecord } from "../../storage/key-store";
import type { Stores } from "../../storage/stores";
import type { VerifierScope, VerifierSecretRecord } from "../../storage/verifier-store";
import type { Caller } from "../authorization";
import type { Services } from "../services";
import { verifierKeyOf } from "./verifier-keys";

/**
 * The part of the asked scope inside the caller's binding, or null when none is: keys outside the
 * binding are absent from the snapshot, exactly as they verify as NOT_FOUND (SPEC §10).
 */
export function visibleScope(caller: Caller, query: VerifierScopeQuery): VerifierScope | null {
  if (caller.project !== null && caller.project !== query.project) return null;
  const environment: Environment | null = query.environment ?? caller.environment;
  if (caller.environment !== null && environment !== caller.environment) return null;
  return { project: query.project, environment };
}

export function inScope(scope: VerifierScope | null, key: Pick<KeyRecord, "project" | "environment">): boolean {
  return scope !== null && key.project === scope.project && (scope.environment === null || key.environment === scope.environment);
}

export function presentVerifierKey(key: KeyRecord, secrets: readonly VerifierSecretRecord[]): VerifierKey {
  return {
    id: key.id,
    name: key.name,
    project: key.project,
    environment: key.environment,
    scopes: key.scopes,
    metadata: key.metadata,
    expires_at: key.expiresAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
    ip_allowlist: key.ipAllowlist,
    rate_limit: key.rateLimit,
    secrets: secrets.flatMap((secret) =>
      secret.verifierDigest === null
        ? []
        : [{ version: secret.version, verifier_digest: secret.verifierDigest, expires_at: secret.expiresAt?.toISOString() ?? null, revoked_at: secret.revokedAt?.toISOString() ?? null }],
    ),
    // Only the secret knows its verifier digest, so none can be added later: the verifier asks the server instead.
    undigested_secrets: secrets.filter((secret) => secret.verifierDigest === null).length,
  };
}

/**
 * The snapshot. Its cursor is read before the keys, so a change that lands while they are read is
 * replayed by the stream (an upsert is idempotent); none can fall between the two.
 */
export async function verifierSnapshot(services: Services, caller: Caller, query: VerifierScopeQuery, stores: Stores = services.storage.stores): Promise<VerifierSnapshot> {
  const cursor = services.verifierFeed.cursor;
  const scope = visibleScope(caller, query);
  const entries = scope ? await stores.verifier.keysOf(scope) : [];
  const keys = entries.map((entry) => presentVerifierKey(entry.key, entry.secrets));
  return {
    cursor,
    project: query.project,
    environment: query.environment ?? null,
    verifier_key: verifierKeyOf(services.pepper, query.project).toString("base64url"),
    keys,
    undigested_secrets: keys.reduce((sum, key) => sum + key.undigested_secrets, 0),
  };
}
