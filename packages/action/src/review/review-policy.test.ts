import { describe, expect, it } from "vitest";
import { parsePlanJson } from "./plan-json";
import { type PlanFixtureName, planFixtureText } from "./plan-fixture";
import { buildReview } from "./review";
import { type ReviewPolicy, reviewPolicies } from "../settings";
import { evaluateReviewPolicies } from "./review-policy";

function violations(name: PlanFixtureName, policies: readonly ReviewPolicy[] = reviewPolicies) {
  return evaluateReviewPolicies(buildReview(parsePlanJson(planFixtureText(name), "inline")), policies);
}

describe("evaluateReviewPolicies", () => {
  it.each(reviewPolicies)("%s: violated by the plan that breaks it, and only by that one", (policy) => {
    expect(violations(`only-${policy}`).map((violation) => violation.policy)).toEqual([policy]);
    for (const other of reviewPolicies.filter((candidate) => candidate !== policy)) {
      expect(violations(`only-${other}`, [policy])).toEqual([]);
    }
  });

  it("passes a plan that narrows scopes, shortens rotation, adds expiry, creates a rotated live key and destroys a test key", () => {
    expect(violations("clean-changes")).toEqual([]);
  });

  it("calls out a trust policy that stops requiring a claim, naming the claim", () => {
    expect(violations("only-trust-widening").map((violation) => violation.reason)).toEqual([
      "trust policy rotate-billing (billing-api, live) (keyward_trust_policy.rotate): claim ref = refs/heads/main no longer required",
    ]);
  });

  it("names the key, the project's policy and the rule a weakened key breaks", () => {
    expect(violations("only-policy").map((violation) => violation.reason)).toEqual([
      "key billing-api/live/ci-deployer (keyward_api_key.ci) breaks the live policy of project billing-api: rotation.every must be at most 90d (policy max_rotation_every)",
    ]);
  });

  it("checks only the policies chosen", () => {
    expect(violations("mixed-changes", []).length).toBe(0);
    expect(violations("mixed-changes", ["expiry-removed"]).map((violation) => violation.address)).toEqual(["keyward_api_key.ci"]);
  });

  it("gives each violation a reason that names the key and the change", () => {
    expect(violations("mixed-changes").map((violation) => `${violation.policy}: ${violation.reason}`)).toEqual([
      "scope-widening: key billing-api/live/ci-deployer (keyward_api_key.ci) gains scope invoices:write",
      "live-key-destroyed: live key billing-api/live/legacy-export (keyward_api_key.legacy) is destroyed: its secret stops working",
      "expiry-removed: key billing-api/live/ci-deployer (keyward_api_key.ci) loses its expiry (was 2027-06-30T00:00:00Z)",
      "live-without-rotation: live key billing-api/live/payouts (keyward_api_key.payouts) has no rotation schedule",
    ]);
  });
});
