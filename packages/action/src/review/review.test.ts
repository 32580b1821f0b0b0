import { describe, expect, it } from "vitest";
import { keyLabel } from "./key-change";
import { parsePlanJson } from "./plan-json";
import { type PlanFixtureName, type PlanJsonObject, planFixture, planFixtureText, sensitiveValues } from "./plan-fixture";
import { buildReview, type Review } from "./review";

function reviewOf(name: PlanFixtureName): Review {
  return buildReview(parsePlanJson(planFixtureText(name), "inline"));
}

function reviewOfObject(plan: PlanJsonObject): Review {
  return buildReview(parsePlanJson(JSON.stringify(plan), "inline"));
}

function key(review: Review, address: string) {
  const found = review.keys.find((candidate) => candidate.address === address);
  if (!found) throw new Error(`no key change for ${address}`);
  return found;
}

describe("buildReview", () => {
  const review = reviewOf("mixed-changes");

  it("lists each changed key once with what the apply does to it, leaving unchanged keys out", () => {
    expect(review.keys.map((change) => [change.address, change.kind, keyLabel(change)])).toEqual([
      ["keyward_api_key.ci", "update", "billing-api/live/ci-deployer"],
      ["keyward_api_key.sandbox", "replace", "billing-api/live/sandbox"],
      ["keyward_api_key.worker", "update", "billing-api/live/worker"],
      ["keyward_api_key.legacy", "destroy", "billing-api/live/legacy-export"],
      ["keyward_api_key.reporting", "update", "billing-api/live/reporting"],
      ["keyward_api_key.preview", "create", "billing-api/test/preview-bot"],
      ["keyward_api_key.payouts", "create", "billing-api/live/payouts"],
    ]);
  });

  it("separates scopes added from scopes removed", () => {
    expect(key(review, "keyward_api_key.ci").scopes).toMatchObject({ added: ["invoices:write"], removed: [], current: ["invoices:read", "invoices:write"] });
    expect(key(review, "keyward_api_key.sandbox").scopes).toMatchObject({ added: [], removed: ["refunds:write"], current: ["invoices:read"] });
    expect(key(review, "keyward_api_key.legacy").scopes).toMatchObject({ added: [], removed: [], current: ["exports:read"] });
  });

  it("shows the environment on both sides of a replacement and why it is replaced", () => {
    const sandbox = key(review, "keyward_api_key.sandbox");
    expect(sandbox.environment.before).toEqual({ state: "known", value: "test" });
    expect(sandbox.environment.after).toEqual({ state: "known", value: "live" });
    expect(sandbox.replacedBecause).toEqual(["environment"]);
  });

  it("judges rotation schedule and expiry changes", () => {
    expect(key(review, "keyward_api_key.reporting").rotation.verdict).toBe("longer");
    expect(key(review, "keyward_api_key.reporting").expiry.verdict).toBe("later");
    expect(key(review, "keyward_api_key.ci").expiry.verdict).toBe("removed");
    expect(key(review, "keyward_api_key.ci").rotation.verdict).toBe("unchanged");
  });

  it("finds the rotation a changed rotation_triggers performs", () => {
    expect(review.keys.filter((change) => change.rotationOnApply === "rotates").map((change) => change.address)).toEqual(["keyward_api_key.worker"]);
  });

  it("counts the key secrets the apply re-issues: creates + replaces + rotations", () => {
    expect(review.secrets).toEqual({ created: 2, replaced: 1, rotated: 1, total: 4, possiblyRotated: 0, tokens: 1 });
  });

  it("describes management tokens with their scopes and binding", () => {
    expect(review.tokens).toHaveLength(1);
    expect(review.tokens[0]).toMatchObject({
      address: "keyward_management_token.deployer",
      kind: "create",
      project: { state: "known", value: "billing-api" },
      environment: { state: "known", value: "live" },
      scopes: { current: ["keys:read", "keys:rotate"] },
    });
  });

  it("lists project and scope changes and summarises everything else by count", () => {
    expect(review.catalog.map((change) => [change.kind, change.address])).toEqual([["create", "keyward_scope.write"]]);
    expect(review.other.types).toEqual(["terraform_data"]);
    expect(review.other.counts).toMatchObject({ create: 1, destroy: 1, update: 0, replace: 0 });
  });

  it("calls out widenings first, then what weakens a key", () => {
    expect(review.findings.map((finding) => [finding.kind, finding.address])).toEqual([
      ["scope-widening", "keyward_api_key.ci"],
      ["live-key-destroyed", "keyward_api_key.legacy"],
      ["expiry-removed", "keyward_api_key.ci"],
      ["live-without-rotation", "keyward_api_key.payouts"],
      ["rotation-weakened", "keyward_api_key.sandbox"],
      ["rotation-weakened", "keyward_api_key.reporting"],
      ["expiry-later", "keyward_api_key.reporting"],
    ]);
  });

  it("holds no sensitive value of the plan", () => {
    const text = planFixtureText("mixed-changes");
    const serialized = JSON.stringify(review);
    const secrets = sensitiveValues(text);
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(serialized).not.toContain(secret);
  });

  it("finds nothing in a plan that changes no Keyward resource", () => {
    const quiet = reviewOf("terraform-data-only");
    expect(quiet.keys).toEqual([]);
    expect(quiet.findings).toEqual([]);
    expect(quiet.other.counts).toMatchObject({ create: 1, replace: 1 });
  });
});

describe("buildReview with values the plan cannot show", () => {
  it("treats a scope known only after apply as a widening", () => {
    const plan = planFixture("only-scope-widening");
    const change = plan.resource_changes[0]!.change;
    change.after = { ...change.after, scopes: ["invoices:read"] };
    change.after_unknown = { ...(change.after_unknown as object), scopes: [false, true] };
    const ci = reviewOfObject(plan).keys[0]!;
    expect(ci.scopes).toMatchObject({ added: [], unknownAdded: 1 });
    expect(reviewOfObject(plan).findings.map((finding) => finding.kind)).toEqual(["scope-widening"]);
  });

  it("never reads a sensitive attribute, and treats sensitive scopes as a possible widening", () => {
    const plan = planFixture("only-scope-widening");
    const change = plan.resource_changes[0]!.change;
    change.after_sensitive = { ...(change.after_sensitive as object), scopes: true };
    const ci = reviewOfObject(plan).keys[0]!;
    expect(ci.scopes).toMatchObject({ hidden: true, added: [], current: [] });
    expect(reviewOfObject(plan).findings.map((finding) => finding.kind)).toEqual(["scope-widening"]);
  });

  it("says a key may rotate when its rotation_triggers are sensitive, without counting it as certain", () => {
    const plan = planFixture("mixed-changes");
    const worker = plan.resource_changes.find((resource) => resource.address === "keyward_api_key.worker")!.change;
    worker.after_sensitive = { ...(worker.after_sensitive as object), rotation_triggers: true };
    const review = reviewOfObject(plan);
    expect(key(review, "keyward_api_key.worker").rotationOnApply).toBe("possible");
    expect(review.secrets).toMatchObject({ rotated: 0, possiblyRotated: 1, total: 3 });
  });

  it("judges an expiry known only after apply as unclear rather than guessing", () => {
    const plan = planFixture("only-expiry-removed");
    const change = plan.resource_changes[0]!.change;
    change.after_unknown = { ...(change.after_unknown as object), expires_at: true };
    expect(reviewOfObject(plan).keys[0]!.expiry.verdict).toBe("unclear");
  });

  it("describes a destroyed key by what it was", () => {
    const destroyed = reviewOf("only-live-key-destroyed").keys[0]!;
    expect(destroyed.kind).toBe("destroy");
    expect(keyLabel(destroyed)).toBe("billing-api/live/ci-deployer");
  });

  it("reports a destination removed from a key and a key whose secret leaves the state (SPEC §13)", () => {
    const removed = planFixture("only-destination-added");
    const change = removed.resource_changes[0]!.change;
    change.after!.destination = [];
    (change.after_unknown as Record<string, unknown>).destination = [];
    (change.after_sensitive as Record<string, unknown>).destination = [];
    const review = reviewOfObject(removed);
    expect(review.findings.map((finding) => finding.kind)).toEqual(["destination-removed"]);
    expect(key(review, "keyward_api_key.ci").destinations.removed).toEqual(["GitHub acme/billing secret BILLING_API_KEY"]);

    const leaving = planFixture("only-destination-added");
    leaving.resource_changes[0]!.change.before!.destination = [];
    (leaving.resource_changes[0]!.change.before_sensitive as Record<string, unknown>).destination = [];
    expect(reviewOfObject(leaving).findings.map((finding) => finding.kind)).toEqual(["destination-added", "secret-leaves-state"]);
  });
});
