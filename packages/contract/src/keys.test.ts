import { describe, expect, it } from "vitest";
import { describeIssues } from "./issues";
import { CreateKeyRequest, UpdateKeyRequest } from "./keys";

const valid = { project: "billing-api", environment: "live", name: "ci-deployer", scopes: ["invoices:read"] };

function issuesOf(body: unknown) {
  const result = CreateKeyRequest.safeParse(body);
  return result.success ? [] : describeIssues("body", result.error);
}

describe("CreateKeyRequest", () => {
  it("accepts the SPEC example", () => {
    const result = CreateKeyRequest.safeParse({
      ...valid,
      expires_at: "2027-06-30T00:00:00Z",
      rotation: { every: "30d", grace_period: "24h" },
      ip_allowlist: ["10.0.0.0/8", "2001:db8::/32"],
      rate_limit: { requests: 100, window: "1m" },
      metadata: { team: "payments" },
    });
    expect(result.success).toBe(true);
  });

  it.each([
    [{ environment: "prod" }, "body.environment", "'test' or 'live'"],
    [{ rotation: { every: "30 days", grace_period: "1h" } }, "body.rotation.every", "duration"],
    [{ rotation: { every: "1h", grace_period: "2h" } }, "body.rotation.grace_period", "longer than every"],
    [{ ip_allowlist: ["10.0.0.0/33"] }, "body.ip_allowlist[0]", "CIDR"],
    [{ scopes: ["Invoices"] }, "body.scopes[0]", "lowercase"],
    [{ extra: 1 }, "body.extra", "not a known field"],
    [{ scopes: "invoices:read" }, "body.scopes", "array"],
    [{ metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, "v"])) }, "body.metadata", "32 entries"],
  ])("names the field and the rule for %j", (change, field, rule) => {
    const issues = issuesOf({ ...valid, ...change });
    expect(issues).toContainEqual({ field, message: expect.stringContaining(rule) });
  });

  it("lets PATCH clear optional settings with null", () => {
    expect(UpdateKeyRequest.safeParse({ expires_at: null, rotation: null, ip_allowlist: null, rate_limit: null }).success).toBe(true);
  });
});
