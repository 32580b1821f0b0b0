import type { CatalogChange } from "./catalog-change";
import type { ChangeKind } from "./change-kind";
import type { ExpiryChange } from "./expiry-change";
import { isLive, type KeyChange, keyLabel } from "./key-change";
import { type Reading, readingText } from "./planned-object";
import type { Finding, Review } from "./review";
import type { PolicyViolation } from "./review-policy";
import type { RotationSchedule, RotationScheduleChange } from "./rotation-schedule-change";
import type { ScopeChange } from "./scope-change";
import { type TokenChange, tokenLabel } from "./token-change";
import { type TrustPolicyChange, trustPolicyLabel } from "./trust-policy-change";

/**
 * Renders a review as GitHub-flavoured markdown, for the job summary and the pull request comment.
 * Every name that comes from the plan is shown in a code span (with backticks and table pipes
 * neutralised), so a resource name cannot inject markdown or HTML into the comment.
 */
export function renderReviewMarkdown(review: Review, violations: readonly PolicyViolation[]): string {
  const sections = [
    "## Keyward review",
    headline(review),
    violationsSection(violations),
    calledOutSection(review.findings),
    keysSection(review.keys),
    rotationsSection(review.keys),
    tokensSection(review.tokens),
    trustPoliciesSection(review.trustPolicies),
    catalogSection(review.catalog),
    secretsSection(review),
    otherSection(review),
  ];
  return `${sections.filter((section) => section !== "").join("\n\n")}\n`;
}

function headline(review: Review): string {
  if (review.keys.length === 0 && review.tokens.length === 0 && review.trustPolicies.length === 0 && review.catalog.length === 0) {
    return "No Keyward API keys, management tokens, trust policies, projects or scopes change in this plan.";
  }
  const parts = [`**${plural(review.keys.length, "API key")}** ${review.keys.length === 1 ? "changes" : "change"}${kindCounts(review.keys)}`];
  parts.push(`**${plural(review.secrets.total, "key secret")}** re-issued on apply`);
  if (review.tokens.length > 0) parts.push(`${plural(review.tokens.length, "management token")} ${review.tokens.length === 1 ? "changes" : "change"}`);
  if (review.trustPolicies.length > 0) parts.push(`${plural(review.trustPolicies.length, "trust policy", "trust policies")} ${review.trustPolicies.length === 1 ? "changes" : "change"}`);
  if (review.findings.length > 0) parts.push(`**${plural(review.findings.length, "change")} to look at**`);
  return parts.join(" · ");
}

function violationsSection(violations: readonly PolicyViolation[]): string {
  if (violations.length === 0) return "";
  const lines = violations.map((violation) => `- **${violation.policy}**: ${findingLine(violation.finding)}`);
  return [`### Policy violations (${violations.length})`, "", "The `fail-on` policies of this workflow fail the step:", "", ...lines].join("\n");
}

function calledOutSection(findings: readonly Finding[]): string {
  if (findings.length === 0) return "";
  return ["### Called out", "", ...findings.map((finding) => `- ${findingLine(finding)}`)].join("\n");
}

function findingLine(finding: Finding): string {
  const subject = finding.subject;
  if (isTrustPolicy(subject)) return trustPolicyFindingLine(finding.kind, subject);
  const who = isKey(subject) ? `${environmentWord(subject)} key ${code(keyLabel(subject))}` : `management token ${code(tokenLabel(subject))}`;
  switch (finding.kind) {
    case "policy":
      return `**Policy broken** by ${who}: it ${finding.detail ?? "breaks its project's policy"}`;
    case "scope-widening":
      return `**Scopes widened** on ${who}: ${addedScopes(subject.scopes)}`;
    case "trust-widening":
      return "";
    case "live-key-destroyed":
      return `**Live key ${subject.kind === "replace" ? "replaced" : "destroyed"}**: ${who}; its current secret stops working`;
    case "expiry-removed":
      return `**Expiry removed** on ${who} (was ${code(readingText(subject.expiry.before, "none"))})`;
    case "expiry-later":
      return `**Expiry moved later** on ${who}: ${code(readingText(subject.expiry.before, "none"))} → ${code(readingText(subject.expiry.after, "none"))}`;
    case "live-without-rotation":
      return `**Live key without rotation**: ${who} has no rotation schedule`;
    case "destination-added":
      return `**Exposure widened** on ${who}: its secret will also be delivered to ${isKey(subject) ? newDestinations(subject) : "a new destination"}`;
    case "destination-removed":
      return `**Destination removed** on ${who}: ${isKey(subject) ? subject.destinations.removed.join(", ") : ""} no longer receives its secret (it keeps the last one written there until it is deleted)`;
    case "secret-leaves-state":
      return `**Secret leaves the Terraform state** for ${who}: it is delivered to its destinations (or held by the caller through secret_wo) and no longer stored in the state`;
    case "rotation-weakened":
      return `**Rotation weakened** on ${who}: ${isKey(subject) ? scheduleTransition(subject.rotation) : ""}`;
  }
}

function trustPolicyFindingLine(kind: Finding["kind"], policy: TrustPolicyChange): string {
  const who = `trust policy ${code(trustPolicyLabel(policy))}`;
  if (kind === "scope-widening") return `**Scopes widened** on ${who}: ${addedScopes(policy.scopes)}; every token it mints gains them`;
  const label = policy.kind === "create" ? "New trust" : "Trust widened";
  return `**${label}** on ${who}: ${policy.widenings.map(code).join(", ")}`;
}

function trustPoliciesSection(policies: readonly TrustPolicyChange[]): string {
  if (policies.length === 0) return "";
  const rows = policies.map((policy) => [
    `${code(readingText(policy.name, "?"))}<br>${code(policy.address)}`,
    policy.kind,
    code(readingText(policy.issuer, "?")),
    readingText(policy.claims, "none", (claims) => Object.entries(claims).map(([name, value]) => code(`${name} = ${value}`)).join("<br>")),
    scopesCell(policy.kind, policy.scopes),
    `${code(readingText(policy.project, "every project"))}, ${code(readingText(policy.environment, "every environment"))}`,
  ]);
  return [
    "### Trust policies",
    "",
    "An OIDC ID token from the issuer that carries every claim below can be exchanged for a management token with these scopes, without any stored secret.",
    "",
    table(["Policy", "Change", "Issuer", "Claims", "Scopes", "Tokens bound to"], rows),
  ].join("\n");
}

function keysSection(keys: readonly KeyChange[]): string {
  if (keys.length === 0) return "";
  const rows = keys.map((key) => [
    `${code(keyLabel(key))}<br>${code(key.address)}`,
    environmentCell(key),
    changeCell(key),
    scopesCell(key.kind, key.scopes),
    rotationCell(key.rotation),
    expiryCell(key.expiry),
  ]);
  return ["### API keys", "", table(["Key", "Environment", "Change", "Scopes", "Rotation", "Expiry"], rows)].join("\n");
}

function rotationsSection(keys: readonly KeyChange[]): string {
  const rotating = keys.filter((key) => key.rotationOnApply !== "none");
  if (rotating.length === 0) return "";
  const lines = rotating.map((key) =>
    key.rotationOnApply === "rotates"
      ? `- ${code(keyLabel(key))} (${code(key.address)}): \`rotation_triggers\` changed, so the apply rotates the key: a new version and a new secret, the previous secret valid for ${graceText(key)}`
      : `- ${code(keyLabel(key))} (${code(key.address)}): may rotate; its \`rotation_triggers\` are sensitive or known only after apply`,
  );
  return ["### Rotations on apply", "", ...lines].join("\n");
}

function tokensSection(tokens: readonly TokenChange[]): string {
  if (tokens.length === 0) return "";
  const rows = tokens.map((token) => [
    `${code(readingText(token.name, "?"))}<br>${code(token.address)}`,
    token.kind,
    scopesCell(token.kind, token.scopes),
    `${code(readingText(token.project, "every project"))}, ${code(readingText(token.environment, "every environment"))}`,
    expiryCell(token.expiry),
  ]);
  return ["### Management tokens", "", table(["Token", "Change", "Scopes", "Bound to", "Expiry"], rows)].join("\n");
}

function catalogSection(catalog: readonly CatalogChange[]): string {
  if (catalog.length === 0) return "";
  const lines = catalog.map((change) => {
    const project = readingText(change.project, "?");
    const what = change.type === "keyward_project" ? `project ${code(project)}` : `scope ${code(`${project}/${readingText(change.scope, "?")}`)}`;
    return `- ${change.kind} ${what} (${code(change.address)})`;
  });
  return ["### Projects and scopes", "", ...lines].join("\n");
}

function secretsSection(review: Review): string {
  const { created, replaced, rotated, total, possiblyRotated, tokens } = review.secrets;
  const lines = [
    `This apply re-issues **${plural(total, "key secret")}**: ${created} for created keys, ${replaced} for replaced keys, ${rotated} for rotations.`,
  ];
  if (possiblyRotated > 0) lines.push(`${plural(possiblyRotated, "more key")} may rotate (rotation triggers not shown in the plan).`);
  if (tokens > 0) lines.push(`It also issues ${plural(tokens, "management token secret")}.`);
  lines.push("Secret values never appear in this review.");
  return ["### Secrets", "", lines.join(" ")].join("\n");
}

function otherSection(review: Review): string {
  const { counts, types } = review.other;
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  if (total === 0) return "### Other resources\n\nNo changes.";
  const parts = (["create", "update", "replace", "destroy", "forget"] as const)
    .filter((kind) => counts[kind] > 0)
    .map((kind) => `${counts[kind]} to ${kind}`);
  return `### Other resources\n\n${parts.join(", ")} (${types.map(code).join(", ")}).`;
}

function environmentCell(key: KeyChange): string {
  const before = key.environment.before;
  const after = key.environment.after;
  if (key.kind === "replace" && readingText(before, "") !== readingText(after, "")) {
    return `${environmentText(before)} → ${environmentText(after)}`;
  }
  return environmentText(after.state === "known" && after.value === null ? before : after);
}

function environmentText(environment: Reading<string | null>): string {
  const text = code(readingText(environment, "?"));
  return isLive(environment) ? `**${text}**` : text;
}

function changeCell(key: KeyChange): string {
  if (key.kind === "replace" && key.replacedBecause.length > 0) return `replace (${key.replacedBecause.map(code).join(", ")} changed)`;
  if (key.rotationOnApply === "rotates") return "update, **rotates**";
  return key.kind;
}

function scopesCell(kind: ChangeKind, scopes: ScopeChange): string {
  if (scopes.hidden) return "(not shown in the plan)";
  // A new key or token has no previous scopes to widen: list what it holds.
  if (kind === "create") return scopes.current.length > 0 ? scopes.current.map(code).join("<br>") : "none";
  const added = new Set(scopes.added);
  const parts = [
    ...scopes.added.map((scope) => `**+ ${code(scope)}**`),
    ...(scopes.unknownAdded > 0 ? [`**+ ${scopes.unknownAdded} known after apply**`] : []),
    ...scopes.removed.map((scope) => `− ${code(scope)}`),
    ...scopes.current.filter((scope) => !added.has(scope)).map(code),
  ];
  return parts.length > 0 ? parts.join("<br>") : "none";
}

function rotationCell(rotation: RotationScheduleChange): string {
  if (rotation.verdict === "unchanged") return scheduleText(rotation.after);
  const transition = scheduleTransition(rotation);
  return rotation.verdict === "removed" || rotation.verdict === "longer" ? `**${transition}** (weaker)` : transition;
}

function scheduleTransition(rotation: RotationScheduleChange): string {
  return `${scheduleText(rotation.before)} → ${scheduleText(rotation.after)}`;
}

function scheduleText(schedule: Reading<RotationSchedule | null>): string {
  return readingText(schedule, "none", (value) => `every ${value.every ?? "?"}${value.gracePeriod === null ? "" : `, grace ${value.gracePeriod}`}`);
}

function expiryCell(expiry: ExpiryChange): string {
  if (expiry.verdict === "unchanged") return readingText(expiry.after, "none");
  const transition = `${readingText(expiry.before, "none")} → ${readingText(expiry.after, "none")}`;
  return expiry.verdict === "removed" || expiry.verdict === "later" ? `**${transition}** (weaker)` : transition;
}

function graceText(key: KeyChange): string {
  const schedule = key.rotation.after;
  if (schedule.state === "known" && schedule.value?.gracePeriod) return `its grace period (${schedule.value.gracePeriod})`;
  return "the key's grace period";
}

function newDestinations(key: KeyChange): string {
  const places = key.destinations.added.map(code);
  if (key.destinations.unknown) places.push("destinations known only after apply");
  return places.join(", ");
}

function addedScopes(scopes: ScopeChange): string {
  const parts = scopes.added.map((scope) => `+ ${code(scope)}`);
  if (scopes.unknownAdded > 0) parts.push(`+ ${plural(scopes.unknownAdded, "scope")} known only after apply`);
  if (scopes.hidden) parts.push("a scope set the plan does not show");
  return parts.join(", ");
}

function environmentWord(key: KeyChange): string {
  const environment = key.environment.after.state === "known" && key.environment.after.value !== null ? key.environment.after : key.environment.before;
  return isLive(environment) ? "**live**" : readingText(environment, "");
}

function isKey(subject: KeyChange | TokenChange): subject is KeyChange {
  return "rotationOnApply" in subject;
}

function isTrustPolicy(subject: Finding["subject"]): subject is TrustPolicyChange {
  return "widenings" in subject;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** GFM splits a row at every unescaped pipe, even inside a code span. */
function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function code(text: string): string {
  return `\`${text.replaceAll("`", "'").replaceAll("\n", " ")}\``;
}

function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

function kindCounts(keys: readonly KeyChange[]): string {
  const kinds: ChangeKind[] = ["create", "replace", "update", "destroy", "forget"];
  const words: Record<ChangeKind, string> = { create: "created", replace: "replaced", update: "updated", destroy: "destroyed", forget: "forgotten" };
  const parts = kinds.map((kind) => [kind, keys.filter((key) => key.kind === kind).length] as const).filter(([, count]) => count > 0);
  return parts.length === 0 ? "" : ` (${parts.map(([kind, count]) => `${count} ${words[kind]}`).join(", ")})`;
}
