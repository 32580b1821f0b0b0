import type { Environment, ManagementScope, Permission, Target } from "@keyward/contract";
import type { TokenRecord } from "../storage/token-store";
import { ApiError, forbidden } from "./api-error";

/** The authenticated management token making a request. */
export type Caller = TokenRecord;

/** What a token may do (SPEC §10): its scopes, its project and environment binding, its expiry. */
export type Authority = Pick<TokenRecord, "scopes" | "project" | "environment" | "expiresAt">;

/** Where an object lives; `null` is "every project" or "every environment". */
export interface Placement {
  project: string | null;
  environment: Environment | null;
}

/**
 * An object outside the caller's authority: answered exactly as a missing one (404, same message),
 * so a refusal never tells that another project's or environment's object exists (SPEC §10). The
 * `reason` goes to the audit log only.
 */
export class OutsideAuthorityError extends ApiError {
  constructor(
    what: string,
    readonly reason: string,
  ) {
    super("NOT_FOUND", `${what} was not found`);
    this.name = "OutsideAuthorityError";
  }
}

export function holds(caller: Pick<Authority, "scopes">, scope: ManagementScope): boolean {
  return caller.scopes.includes("admin") || caller.scopes.includes(scope);
}

/** The route table's permission: every listed scope (SPEC §10: DELETE /v1/keys/{id} lists two). */
export function requirePermission(caller: Caller, permission: Permission): void {
  if (permission === "public") return;
  const missing = permission.filter((scope) => !holds(caller, scope));
  if (missing.length > 0) throw forbidden(`this token lacks the ${missing.map((scope) => `'${scope}'`).join(" and ")} scope${missing.length > 1 ? "s" : ""}`);
}

/** The bindings a route's target needs before any object is looked up (the route table's `target`). */
export function requireTargetBinding(caller: Caller, target: Target): void {
  if (target === "service" && caller.project !== null) throw forbidden("a token bound to a project cannot act on the whole service");
  if (target === "unbound" && (caller.project !== null || caller.environment !== null)) {
    throw forbidden("this route covers every project and environment: it needs a token with no project or environment binding");
  }
  if (target === "project-erase" && caller.environment !== null) {
    throw forbidden("deleting a project erases both environments: it needs a token with no environment binding");
  }
}

/** Whether an object in `placement` lies inside the caller's binding (`null` placement: not inside a bound caller). */
export function sees(caller: Placement, placement: Placement): boolean {
  return (caller.project === null || caller.project === placement.project) && (caller.environment === null || caller.environment === placement.environment);
}

/** An existing object the caller addresses by name or id: outside its binding it is "not found". */
export function requireVisible(caller: Caller, object: Placement, what: string): void {
  if (!sees(caller, object)) throw new OutsideAuthorityError(what, "outside the token's project or environment binding");
}

/** Creating an object in `placement`: the caller's own binding is named, never the other one. */
export function requireInsideBinding(caller: Caller, placement: Placement, what: string): void {
  if (caller.project !== null && caller.project !== placement.project) {
    throw forbidden(`this token is bound to project '${caller.project}': it can create ${what} only in it`);
  }
  if (caller.environment !== null && caller.environment !== placement.environment) {
    throw forbidden(`this token is bound to the '${caller.environment}' environment: it can create ${what} only in it`);
  }
}

/**
 * THE authority check of every token operation (SPEC §10): whether `inner` lies inside `outer`,
 * or the rule it breaks. Granting, listing and revoking tokens all ask this one question.
 * - scopes: a subset of outer's (`admin` implies every scope; only `admin` grants `admin`);
 * - binding: at least as narrow (bound to outer's project and environment where outer is bound);
 * - expiry: no later than outer's (a token that expires holds only tokens that expire no later).
 */
export function authorityExceeded(outer: Authority, inner: Authority): string | undefined {
  if (!outer.scopes.includes("admin")) {
    const beyond = inner.scopes.filter((scope) => !outer.scopes.includes(scope));
    if (beyond.length > 0) return `scopes: holds ${beyond.join(", ")}, which this token does not hold`;
  }
  if (outer.project !== null && inner.project !== outer.project) return `project: must be bound to project '${outer.project}', as this token is`;
  if (outer.environment !== null && inner.environment !== outer.environment) {
    return `environment: must be bound to the '${outer.environment}' environment, as this token is`;
  }
  if (outer.expiresAt !== null && (inner.expiresAt === null || inner.expiresAt > outer.expiresAt)) {
    return `expires_at: must expire no later than this token (${outer.expiresAt.toISOString()})`;
  }
  return undefined;
}
