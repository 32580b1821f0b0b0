import { describe, expect, it } from "vitest";
import { createLogger, type ObjectValue, type OperationContext, UNKNOWN } from "@keyward/terraform-plugin";
import type { KeywardContext } from "../providerContext";
import { apiKeyResource } from "./apiKey";

// Plans that keep the scopes never ask the key service, so no client is needed here.
const context = {
  client: { plannedScopes: new Set(), catalogs: new Map() } as unknown as KeywardContext,
  stopSignal: new AbortController().signal,
  log: createLogger({ module: "test", level: "error", write: () => undefined }),
} as OperationContext<KeywardContext>;

const prior: ObjectValue = {
  id: "key_01234567890123456789",
  project: "billing-api",
  environment: "live",
  name: "ci",
  scopes: ["invoices:read"],
  expires_at: null,
  rotation: { every: "30d", grace_period: "1d" },
  ip_allowlist: null,
  rate_limit: null,
  metadata: null,
  rotation_triggers: { reason: "a" },
  version: 1,
  hint: "kw_live_…abcd",
  status: "active",
  created_at: "2026-11-22T00:00:00Z",
  rotated_at: null,
  next_rotation_at: "2026-12-22T00:00:00Z",
  rotation_due: false,
  secret: "kw_live_secret",
};
const config = (changes: ObjectValue): ObjectValue => ({ ...prior, id: null, version: null, hint: null, status: null, created_at: null, rotated_at: null, next_rotation_at: null, rotation_due: null, secret: null, ...changes });
const plan = async (changes: ObjectValue) => (await apiKeyResource.plan!(context, { prior, config: config(changes), planned: { ...prior, ...changes } }))?.planned ?? {};

describe("keyward_api_key plan", () => {
  it("plans a rotation when a trigger value changes: new version, hint and secret", async () => {
    const planned = await plan({ rotation_triggers: { reason: "b" } });
    expect(planned).toMatchObject({ version: UNKNOWN, hint: UNKNOWN, secret: UNKNOWN, rotated_at: UNKNOWN, id: prior.id });
  });

  it("does not rotate when triggers are added to a key that had none, or removed", async () => {
    const added = await apiKeyResource.plan!(context, { prior: { ...prior, rotation_triggers: null }, config: config({}), planned: { ...prior } });
    expect(added?.planned).toMatchObject({ version: 1, secret: "kw_live_secret" });
    expect(await plan({ rotation_triggers: null })).toMatchObject({ version: 1, secret: "kw_live_secret" });
  });

  it("keeps the secret and version on a settings change, re-computing only what the change affects", async () => {
    const rescheduled = await plan({ rotation: { every: "7d", grace_period: "1d" } });
    expect(rescheduled).toMatchObject({ version: 1, secret: "kw_live_secret", next_rotation_at: UNKNOWN, rotation_due: UNKNOWN, status: "active" });
    expect(await plan({ expires_at: "2027-01-01T00:00:00Z" })).toMatchObject({ status: UNKNOWN, next_rotation_at: prior.next_rotation_at });
  });
});
