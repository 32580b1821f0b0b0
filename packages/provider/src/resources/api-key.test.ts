import { describe, expect, it } from "vitest";
import { createLogger, type ObjectValue, type OperationContext, UNKNOWN } from "@keyward/terraform-plugin";
import type { KeywardContext } from "../provider-context";
import { apiKeyResource } from "./api-key";

// Plans that keep the scopes never ask the key service for its catalog; the project's policy is the default one.
const keyward = { projects: { getPolicy: async (project: string) => ({ project, live: { exposure: "revoke" }, test: { exposure: "revoke" } }) } };
const context = {
  client: { keyward, plannedScopes: new Set(), catalogs: new Map() } as unknown as KeywardContext,
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

describe("keyward_api_key destinations and secret_wo at plan time (SPEC §13)", () => {
  const config = (extra: ObjectValue): ObjectValue => ({ ...prior, id: null, secret: null, secret_wo: null, secret_wo_version: null, destination: [], ...extra });

  it("names the attribute and the rule of a broken destination, never accepting both kinds in one block", () => {
    const diagnostics = apiKeyResource.validate!(
      config({
        destination: [
          { github_secret: { repository: "billing", environment: null, name: "GITHUB_KEY", app: null }, github_org_secret: null },
          { github_secret: null, github_org_secret: { org: "acme", name: "K", visibility: "all", selected_repositories: ["acme/web"], app: null } },
          { github_secret: null, github_org_secret: null },
        ],
      }),
    );
    expect(diagnostics.map((diagnostic) => [diagnostic.attribute, diagnostic.detail])).toEqual([
      [["destination", 0, "github_secret", "repository"], "repository must be a repository as owner/repo, e.g. acme/billing."],
      [["destination", 0, "github_secret", "name"], "name must not start with GITHUB_, which GitHub reserves."],
      [["destination", 1, "github_org_secret", "selected_repositories"], "selected_repositories selected_repositories is allowed only with visibility 'selected'."],
      [["destination", 2], "A destination block needs exactly one of github_secret = { … } or github_org_secret = { … }."],
    ]);
  });

  it("refuses a secret_wo of the wrong environment without quoting it, and secret_wo without its version", () => {
    const testSecret = "kw_test_" + "A".repeat(43) + "000000";
    const wrong = apiKeyResource.validate!(config({ secret_wo: testSecret, secret_wo_version: 1 }));
    expect(wrong.map((diagnostic) => diagnostic.attribute)).toEqual([["secret_wo"]]);
    expect(JSON.stringify(wrong)).not.toContain(testSecret);
    expect(apiKeyResource.validate!(config({ secret_wo: testSecret })).map((diagnostic) => diagnostic.attribute)).toEqual([["secret_wo_version"]]);
  });

  it("plans a null secret for a key with a destination, and a rotation when secret_wo_version changes", async () => {
    const withDestination = config({ destination: [{ github_secret: { repository: "acme/billing", environment: null, name: "K", app: null }, github_org_secret: null }] });
    const github = { ...context, client: { ...context.client, github: {}, plannedScopes: new Set(["billing-api/invoices:read"]) } } as OperationContext<KeywardContext>;
    const created = await apiKeyResource.plan!(github, { prior: null, config: withDestination, planned: { ...withDestination, secret: UNKNOWN } });
    expect(created?.planned?.secret).toBeNull();
    const state = { ...prior, secret: null, secret_wo: null, secret_wo_version: 1, destination: [] };
    const bumped = await apiKeyResource.plan!(context, { prior: state, config: { ...state, secret_wo_version: 2 }, planned: { ...state, secret_wo_version: 2 } });
    expect(bumped?.planned).toMatchObject({ version: UNKNOWN, hint: UNKNOWN, secret: null });
  });
});
