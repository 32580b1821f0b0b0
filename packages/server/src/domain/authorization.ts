import type { Environment, ManagementScope, Permission } from "@keyward/contract";
import type { TokenRecord } from "../storage/token-store";
import { forbidden } from "./api-error";

/** The authenticated management token making a request. */
export type Caller = TokenRecord;

export function holds(caller: Caller, scope: ManagementScope): boolean {
  return caller.scopes.includes("admin") || caller.scopes.includes(scope);
}

export function requirePermission(caller: Caller, permission: Permission): void {
  if (permission === "public" || permission === "authenticated") return;
  if (!holds(caller, permission)) throw forbidden(`this token lacks the '${permission}' scope`);
}

/** A token bound to a project sees nothing of any other (SPEC §2). */
export function requireProject(caller: Caller, project: string): void {
  if (caller.project !== null && caller.project !== project) {
    throw forbidden(`this token is bound to project '${caller.project}' and cannot act on project '${project}'`);
  }
}

/** A token bound to an environment sees nothing of the other (SPEC §2). */
export function requireEnvironment(caller: Caller, environment: Environment): void {
  if (caller.environment !== null && caller.environment !== environment) {
    throw forbidden(`this token is bound to the '${caller.environment}' environment and cannot act on '${environment}' objects`);
  }
}

export function requireObject(caller: Caller, object: { project: string; environment: Environment }): void {
  requireProject(caller, object.project);
  requireEnvironment(caller, object.environment);
}
