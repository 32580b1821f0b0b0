import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parsePlanJson } from "../src/review/plan-json";
import { planFixtureText } from "../src/review/plan-fixture";
import { buildReview } from "../src/review/review";
import { renderReviewMarkdown } from "../src/review/review-markdown";
import { evaluateReviewPolicies } from "../src/review/review-policy";

describe("the sample review in the action's README", () => {
  it("is what the action renders for the mixed-changes plan with fail-on scope-widening,live-key-destroyed", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const quoted = /<!-- review-sample:start -->\n([\s\S]*)<!-- review-sample:end -->/.exec(readme)?.[1];
    // The sample is a blockquote in the README, so its headings do not read as the README's own.
    const sample = quoted?.replace(/^> ?/gm, "");
    const review = buildReview(parsePlanJson(planFixtureText("mixed-changes"), "inline"));
    const rendered = renderReviewMarkdown(review, evaluateReviewPolicies(review, ["scope-widening", "live-key-destroyed"]));
    expect(quoted, "README.md lost its review-sample markers").toBeDefined();
    expect(sample).toBe(rendered);
  });
});
