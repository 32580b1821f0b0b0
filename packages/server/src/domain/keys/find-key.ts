import type { KeyRecord } from "../../storage/key-store";
import type { Stores } from "../../storage/stores";
import { ApiError, conflict, notFound } from "../api-error";
import { type Caller, requireVisible } from "../authorization";

/** The key, if the caller may act on its project and environment; outside them it is "not found" (SPEC §10). */
export async function findKey(stores: Stores, caller: Caller, id: string, options: { lock?: boolean } = {}): Promise<KeyRecord> {
  const key = await stores.keys.get(id, options);
  if (!key) throw notFound(`key '${id}'`);
  requireVisible(caller, key, `key '${id}'`);
  return key;
}

export function requireNotRevoked(key: KeyRecord): void {
  if (key.revokedAt) throw conflict(`key '${key.id}' is revoked; create a new key instead`);
}

/** Every scope a key asks for must be in its project's catalog; each missing one is named. */
export async function requireDeclaredScopes(stores: Stores, project: string, scopes: readonly string[], field: string): Promise<void> {
  const declared = await stores.scopes.declared(project, scopes);
  const issues = scopes.flatMap((scope, index) =>
    declared.has(scope) ? [] : [{ field: `${field}[${index}]`, message: `scope '${scope}' is not declared in project '${project}'` }],
  );
  if (issues.length === 0) return;
  throw new ApiError("BAD_REQUEST", issues.map((issue) => `${issue.field}: ${issue.message}`).join("; "), issues);
}

export async function requireUniqueName(stores: Stores, key: Pick<KeyRecord, "project" | "environment" | "name">, field: string): Promise<void> {
  if (await stores.keys.findActiveByName(key.project, key.environment, key.name)) throw nameTaken(field);
}

/** Also the answer when a concurrent request took the name between the check and the write (SPEC §11). */
export function nameTaken(field: string): ApiError {
  return new ApiError("CONFLICT", `${field}: a key with this name already exists in this project and environment`, [
    { field, message: "must be unique within the project and environment" },
  ]);
}
