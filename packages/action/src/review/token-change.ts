import { type ChangeKind, changeKind } from "./change-kind";
import { type ExpiryChange, expiryChange } from "./expiry-change";
import { PlannedObject, type Reading, readingText } from "./planned-object";
import { type ScopeChange, scopeChange } from "./scope-change";
import type { ResourceChange } from "./terraform-plan";

export const MANAGEMENT_TOKEN_TYPE = "keyward_management_token";

/** One `keyward_management_token` the plan changes. Never holds the token's secret. */
export interface TokenChange {
  address: string;
  kind: ChangeKind;
  name: Reading<string | null>;
  /** The project and environment the token is bound to; `null` means every one. */
  project: Reading<string | null>;
  environment: Reading<string | null>;
  scopes: ScopeChange;
  expiry: ExpiryChange;
}

export function describeTokenChange(resource: ResourceChange): TokenChange | undefined {
  const kind = changeKind(resource.change.actions);
  if (kind === undefined) return undefined;
  const before = PlannedObject.before(resource.change);
  const after = PlannedObject.after(resource.change);
  const subject = after.exists ? after : before;
  return {
    address: resource.address,
    kind,
    name: subject.string("name"),
    project: subject.string("project"),
    environment: subject.string("environment"),
    scopes: scopeChange(kind, before, after),
    expiry: expiryChange(kind, before, after),
  };
}

/** The token's name and what it is bound to, e.g. `deployer (billing-api, live)`. */
export function tokenLabel(token: TokenChange): string {
  const binding = [readingText(token.project, "every project"), readingText(token.environment, "every environment")];
  return `${readingText(token.name, "?")} (${binding.join(", ")})`;
}
