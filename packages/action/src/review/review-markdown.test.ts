import { type Token, type Tokens, lexer } from "marked";
import { describe, expect, it } from "vitest";
import { parsePlanJson } from "./plan-json";
import { type PlanFixtureName, type PlanJsonObject, planFixture, planFixtureText, sensitiveValues } from "./plan-fixture";
import { buildReview } from "./review";
import { renderReviewMarkdown } from "./review-markdown";
import { type ReviewPolicy, reviewPolicies } from "../settings";
import { evaluateReviewPolicies } from "./review-policy";

function render(text: string, policies: readonly ReviewPolicy[] = reviewPolicies): string {
  const review = buildReview(parsePlanJson(text, "inline"));
  return renderReviewMarkdown(review, evaluateReviewPolicies(review, policies));
}

function renderFixture(name: PlanFixtureName, policies: readonly ReviewPolicy[] = reviewPolicies): string {
  return render(planFixtureText(name), policies);
}

/** The document as a reader sees it: headings, the lists and tables under each. */
function sections(markdown: string): Map<string, Token[]> {
  const result = new Map<string, Token[]>();
  let current: Token[] = [];
  for (const token of lexer(markdown)) {
    if (token.type === "heading") {
      current = [];
      result.set(`${"#".repeat((token as Tokens.Heading).depth)} ${(token as Tokens.Heading).text}`, current);
    } else if (token.type !== "space") {
      current.push(token);
    }
  }
  return result;
}

function only<T extends Token>(tokens: Token[] | undefined, type: string): T {
  const found = (tokens ?? []).filter((token) => token.type === type);
  expect(found, `one ${type} expected`).toHaveLength(1);
  return found[0] as T;
}

function rowsByFirstCell(table: Tokens.Table): Map<string, string[]> {
  return new Map(table.rows.map((row) => [row[0]!.text, row.slice(1).map((cell) => cell.text)]));
}

describe("renderReviewMarkdown", () => {
  const markdown = renderFixture("mixed-changes");
  const document = sections(markdown);

  it("has the sections a reviewer reads, in order", () => {
    expect([...document.keys()]).toEqual([
      "## Keyward review",
      "### Policy violations (4)",
      "### Called out",
      "### API keys",
      "### Rotations on apply",
      "### Management tokens",
      "### Projects and scopes",
      "### Secrets",
      "### Other resources",
    ]);
  });

  it("puts one table row per changed key, with environment, change, scopes, rotation and expiry", () => {
    const table = only<Tokens.Table>(document.get("### API keys"), "table");
    expect(table.header.map((cell) => cell.text)).toEqual(["Key", "Environment", "Change", "Scopes", "Rotation", "Expiry"]);
    const rows = rowsByFirstCell(table);
    expect(rows.size).toBe(7);
    expect(rows.get("`billing-api/live/ci-deployer`<br>`keyward_api_key.ci`")).toEqual([
      "**`live`**",
      "update",
      "**+ `invoices:write`**<br>`invoices:read`",
      "every 30d, grace 24h",
      "**2027-06-30T00:00:00Z → none** (weaker)",
    ]);
    expect(rows.get("`billing-api/live/sandbox`<br>`keyward_api_key.sandbox`")?.slice(0, 3)).toEqual([
      "`test` → **`live`**",
      "replace (`environment` changed)",
      "− `refunds:write`<br>`invoices:read`",
    ]);
    expect(rows.get("`billing-api/live/worker`<br>`keyward_api_key.worker`")?.[1]).toBe("update, **rotates**");
    expect(rows.get("`billing-api/live/reporting`<br>`keyward_api_key.reporting`")?.slice(3)).toEqual([
      "**every 30d, grace 24h → every 90d, grace 24h** (weaker)",
      "**2027-01-01T00:00:00Z → 2027-12-31T00:00:00Z** (weaker)",
    ]);
  });

  it("calls the widening out first", () => {
    const list = only<Tokens.List>(document.get("### Called out"), "list");
    expect(list.items[0]!.text).toBe("**Scopes widened** on **live** key `billing-api/live/ci-deployer`: + `invoices:write`");
    expect(list.items.map((item) => item.text.split("**")[1])).toEqual([
      "Scopes widened",
      "Live key destroyed",
      "Expiry removed",
      "Live key without rotation",
      "Rotation weakened",
      "Rotation weakened",
      "Expiry moved later",
    ]);
  });

  it("lists violated policies with their reasons", () => {
    const list = only<Tokens.List>(document.get("### Policy violations (4)"), "list");
    expect(list.items.map((item) => item.text.split(":")[0])).toEqual([
      "**scope-widening**",
      "**live-key-destroyed**",
      "**expiry-removed**",
      "**live-without-rotation**",
    ]);
    expect(list.items[0]!.text).toBe("**scope-widening**: **Scopes widened** on **live** key `billing-api/live/ci-deployer`: + `invoices:write`");
  });

  it("has no policy section when no policy is violated or chosen", () => {
    expect([...sections(renderFixture("mixed-changes", [])).keys()]).not.toContain("### Policy violations (4)");
    expect(renderFixture("clean-changes")).not.toContain("Policy violations");
  });

  it("names the rotation, the token and the secrets count", () => {
    const rotation = only<Tokens.List>(document.get("### Rotations on apply"), "list");
    expect(rotation.items.map((item) => item.text)).toEqual([
      "`billing-api/live/worker` (`keyward_api_key.worker`): `rotation_triggers` changed, so the apply rotates the key: a new version and a new secret, the previous secret valid for its grace period (24h)",
    ]);
    const tokens = rowsByFirstCell(only<Tokens.Table>(document.get("### Management tokens"), "table"));
    expect(tokens.get("`deployer`<br>`keyward_management_token.deployer`")).toEqual([
      "create",
      "`keys:read`<br>`keys:rotate`",
      "`billing-api`, `live`",
      "none",
    ]);
    const secrets = only<Tokens.Paragraph>(document.get("### Secrets"), "paragraph");
    expect(secrets.text).toContain("This apply re-issues **4 key secrets**: 2 for created keys, 1 for replaced keys, 1 for rotations.");
  });

  it("summarises non-Keyward resources in one line", () => {
    const other = document.get("### Other resources");
    expect(other).toHaveLength(1);
    expect(only<Tokens.Paragraph>(other, "paragraph").text).toBe("1 to create, 1 to destroy (`terraform_data`).");
  });

  it("never shows a sensitive value", () => {
    for (const name of ["mixed-changes", "clean-changes", "terraform-data-only"] as const) {
      const text = planFixtureText(name);
      const rendered = render(text);
      for (const secret of sensitiveValues(text)) expect(rendered).not.toContain(secret);
    }
  });

  it("says so when no Keyward resource changes", () => {
    const document = sections(renderFixture("terraform-data-only"));
    expect([...document.keys()]).toEqual(["## Keyward review", "### Secrets", "### Other resources"]);
    expect(only<Tokens.Paragraph>(document.get("## Keyward review"), "paragraph").text).toBe(
      "No Keyward API keys, management tokens, trust policies, projects or scopes change in this plan.",
    );
  });

  it("keeps a hostile resource name from breaking the table or injecting HTML", () => {
    const plan: PlanJsonObject = planFixture("only-scope-widening");
    const change = plan.resource_changes[0]!.change;
    change.after = { ...change.after, name: "x|y`<img src=x onerror=alert(1)>" };
    const table = only<Tokens.Table>(sections(render(JSON.stringify(plan))).get("### API keys"), "table");
    expect(table.rows).toHaveLength(1);
    expect(table.rows[0]).toHaveLength(6);
    const html = lexer(render(JSON.stringify(plan))).filter((token) => token.type === "html");
    expect(html).toEqual([]);
  });
});
