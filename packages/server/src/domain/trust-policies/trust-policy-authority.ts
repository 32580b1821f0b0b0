import type { Environment, ManagementScope } from "@keyward/contract";
import { forbidden } from "../api-error";
import { type Authority, authorityExceeded, type Caller, OutsideAuthorityError } from "../authorization";

/**
 * SPEC §10 for policies, through the one authority check of every token operation: a policy's
 * authority is that of every token it mints. It may declare only what its creator could mint itself
 * (scopes it holds, a binding at least as narrow; an omitted binding inherits the creator's), and
 * it expires with its creator.
 */
export function grantedBy(caller: Caller, request: { scopes: readonly ManagementScope[]; project?: string; environment?: Environment }): Authority {
  const authority: Authority = {
    scopes: [...request.scopes],
    project: request.project ?? caller.project,
    environment: request.environment ?? caller.environment,
    expiresAt: caller.expiresAt,
  };
  const exceeded = authorityExceeded(caller, authority);
  if (exceeded) throw forbidden(`this token cannot declare a trust policy beyond its own authority: ${exceeded}`);
  return authority;
}

/** A policy is visible to (and removable by) a token only when its authority lies inside the token's. */
export function withinAuthority(caller: Caller, policy: Authority): boolean {
  return authorityExceeded(caller, policy) === undefined;
}

/** Outside the caller's authority a policy answers 404 exactly as a missing one (audited with the reason). */
export function requirePolicyVisible(caller: Caller, policy: Authority, name: string): void {
  const exceeded = authorityExceeded(caller, policy);
  if (exceeded) throw new OutsideAuthorityError(`trust policy '${name}'`, `outside the token's authority: ${exceeded}`);
}
