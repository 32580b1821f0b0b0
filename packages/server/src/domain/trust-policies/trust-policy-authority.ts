import type { Environment, ManagementScope } from "@keyward/contract";
import { forbidden } from "../api-error";
import { type Caller, holds } from "../authorization";

/** What a trust policy hands out: the authority of every token it mints. */
export interface GrantedAuthority {
  scopes: readonly ManagementScope[];
  project: string | null;
  environment: Environment | null;
}

function grantable(caller: Caller, scope: ManagementScope): boolean {
  return scope === "admin" ? caller.scopes.includes("admin") : holds(caller, scope);
}

/**
 * SPEC §10 for policies: a token may declare only what it could mint itself — scopes it holds and a
 * binding at least as narrow as its own. An omitted binding inherits the creator's.
 */
export function grantedBy(caller: Caller, request: { scopes: readonly ManagementScope[]; project?: string; environment?: Environment }): GrantedAuthority {
  const missing = request.scopes.filter((scope) => !grantable(caller, scope));
  if (missing.length > 0) throw forbidden(`this token cannot grant scopes it does not hold: ${missing.join(", ")}`);
  const project = request.project ?? caller.project;
  const environment = request.environment ?? caller.environment;
  if (caller.project && project !== caller.project) throw forbidden(`this token is bound to project '${caller.project}' and can only declare policies bound to it`);
  if (caller.environment && environment !== caller.environment) {
    throw forbidden(`this token is bound to the '${caller.environment}' environment and can only declare policies bound to it`);
  }
  return { scopes: request.scopes, project, environment };
}

/** A policy is visible to (and removable by) a token only when its authority lies inside the token's. */
export function withinAuthority(caller: Caller, authority: GrantedAuthority): boolean {
  if (!authority.scopes.every((scope) => grantable(caller, scope))) return false;
  if (caller.project && authority.project !== caller.project) return false;
  if (caller.environment && authority.environment !== caller.environment) return false;
  return true;
}
