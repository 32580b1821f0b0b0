import type { ReviewPolicy } from "../settings";
import { keyLabel, type KeyChange } from "./key-change";
import { readingText } from "./planned-object";
import type { Finding, Review } from "./review";
import { tokenLabel, type TokenChange } from "./token-change";
import { type TrustPolicyChange, trustPolicyLabel } from "./trust-policy-change";

export interface PolicyViolation {
  policy: ReviewPolicy;
  address: string;
  /** Plain text naming the key or token and what the change does; never a secret value. */
  reason: string;
  finding: Finding;
}

/** The violations of the chosen `fail-on` review policies (SPEC §7), in the order the review lists its findings. */
export function evaluateReviewPolicies(review: Review, policies: readonly ReviewPolicy[]): PolicyViolation[] {
  const chosen = new Set<string>(policies);
  return review.findings
    .filter((finding): finding is Finding & { kind: ReviewPolicy } => chosen.has(finding.kind))
    .map((finding) => ({ policy: finding.kind, address: finding.address, reason: reason(finding.kind, finding.subject, finding.detail), finding }));
}

function reason(policy: ReviewPolicy, subject: KeyChange | TokenChange | TrustPolicyChange, detail: string | undefined): string {
  const who = describeSubject(subject);
  switch (policy) {
    case "policy":
      return `${who} ${detail ?? "breaks its project's policy"}`;
    case "trust-widening":
      return `${who}: ${"widenings" in subject ? subject.widenings.join("; ") : ""}`;
    case "scope-widening":
      return `${who} gains ${gained(subject)}`;
    case "live-without-rotation":
      return `live ${who} has no rotation schedule`;
    case "live-key-destroyed":
      return subject.kind === "replace"
        ? `live ${who} is replaced: its current secret stops working when the apply destroys it`
        : `live ${who} is destroyed: its secret stops working`;
    case "expiry-removed":
      return `${who} loses its expiry (was ${"expiry" in subject ? readingText(subject.expiry.before, "none") : "none"})`;
    case "destination-added":
      return `${who} widens its exposure: its secret will also be delivered to ${"destinations" in subject ? newPlaces(subject) : "a new destination"}`;
  }
}

function newPlaces(key: KeyChange): string {
  const places = [...key.destinations.added];
  if (key.destinations.unknown) places.push("destinations known only after apply");
  return places.join(", ");
}

function describeSubject(subject: KeyChange | TokenChange | TrustPolicyChange): string {
  if ("rotationOnApply" in subject) return `key ${keyLabel(subject)} (${subject.address})`;
  if ("widenings" in subject) return `trust policy ${trustPolicyLabel(subject)} (${subject.address})`;
  return `management token ${tokenLabel(subject)} (${subject.address})`;
}

function gained(subject: KeyChange | TokenChange | TrustPolicyChange): string {
  const parts: string[] = [];
  if (subject.scopes.added.length > 0) parts.push(`scope${subject.scopes.added.length > 1 ? "s" : ""} ${subject.scopes.added.join(", ")}`);
  if (subject.scopes.unknownAdded > 0) parts.push(`${subject.scopes.unknownAdded} scope(s) known only after apply`);
  if (subject.scopes.hidden) parts.push("a scope set the plan cannot show");
  return parts.join(" and ");
}
