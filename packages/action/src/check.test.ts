import type { ApiKey } from "@keyward/client";
import { describe, expect, it } from "vitest";
import { assess } from "./check";

const now = new Date("2026-11-22T12:00:00Z");

function key(fields: Partial<ApiKey>): ApiKey {
  return {
    id: "key_00000000000000000001",
    project: "billing-api",
    environment: "live",
    name: "ci",
    scopes: [],
    status: "active",
    version: 1,
    hint: "kw_live_…abcd",
    expires_at: null,
    rotation: null,
    rotated_at: null,
    next_rotation_at: null,
    rotation_due: false,
    ip_allowlist: null,
    rate_limit: null,
    metadata: {},
    created_at: "2026-11-01T00:00:00Z",
    updated_at: "2026-11-01T00:00:00Z",
    last_used_at: null,
    destinations: [],
    ...fields,
  };
}

describe("assess", () => {
  it("calls a key overdue when the service says rotation is due or its next rotation has passed", () => {
    expect(assess(key({ rotation_due: true }), now, 14).overdue).toBe(true);
    expect(assess(key({ next_rotation_at: "2026-11-22T11:59:59Z" }), now, 14).overdue).toBe(true);
    expect(assess(key({ next_rotation_at: "2026-11-22T12:00:01Z" }), now, 14).overdue).toBe(false);
    expect(assess(key({ rotation_due: true, status: "revoked" }), now, 14).overdue).toBe(false);
  });

  it("calls a key expiring when it expires within the window, including one already expired", () => {
    expect(assess(key({ expires_at: "2026-12-06T12:00:00Z" }), now, 14).expiring).toBe(true);
    expect(assess(key({ expires_at: "2026-12-06T12:00:01Z" }), now, 14).expiring).toBe(false);
    expect(assess(key({ expires_at: "2026-11-01T00:00:00Z", status: "expired" }), now, 0).expiring).toBe(true);
    expect(assess(key({ expires_at: "2026-11-23T00:00:00Z", status: "revoked" }), now, 14).expiring).toBe(false);
    expect(assess(key({ expires_at: null }), now, 9999).expiring).toBe(false);
  });
});
