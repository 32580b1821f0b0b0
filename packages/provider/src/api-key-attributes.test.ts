import { describe, expect, it } from "vitest";
import { keepEquivalentSpelling } from "./api-key-attributes";

describe("keepEquivalentSpelling", () => {
  const prior = {
    expires_at: "2027-06-30T00:00:00Z",
    rotation: { every: "720h", grace_period: "24h" },
    rate_limit: { requests: 100, window: "60s" },
    metadata: null,
    ip_allowlist: null,
    scopes: ["b", "a"],
  };

  it("keeps the configured spelling of values the API returns in another form", () => {
    const fresh = {
      expires_at: "2027-06-30T00:00:00.000Z",
      rotation: { every: "30d", grace_period: "1d" },
      rate_limit: { requests: 100, window: "1m" },
      metadata: {},
      ip_allowlist: [],
      scopes: ["a", "b"],
    };
    expect(keepEquivalentSpelling(prior, fresh)).toEqual(prior);
  });

  it("takes the API's value when it means something else: that is drift", () => {
    const fresh = {
      expires_at: "2027-07-01T00:00:00Z",
      rotation: { every: "7d", grace_period: "24h" },
      rate_limit: { requests: 50, window: "1m" },
      metadata: { team: "x" },
      ip_allowlist: ["10.0.0.0/8"],
      scopes: ["a"],
    };
    expect(keepEquivalentSpelling(prior, fresh)).toEqual(fresh);
  });
});
