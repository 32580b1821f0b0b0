import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeKeyward, keyId, newKeySecret, newTokenSecret, webhookId } from "../../../client/test/fake-keyward";
import { clientCliAgainst } from "../../test/client-cli-run";

const token = newTokenSecret();
let fake: FakeKeyward;

const keyward = clientCliAgainst(() => fake, token);

beforeEach(() => {
  fake = new FakeKeyward();
});
afterEach(async () => {
  await fake.agent.close();
});

describe("keyward client commands", () => {
  it("puts a trust policy from --claim NAME=VALUE pairs, defaulting to GitHub's issuer, and lists it", async () => {
    const put = await keyward(["trust-policies", "put", "github-deploy", "--audience", "https://keyward.example.com", "--claim", "repository_id=123456", "--claim", "ref=refs/heads/main", "--scope", "keys:read", "--ttl", "10m"]);
    expect(put.exitCode, put.stderr).toBe(0);
    const [request] = fake.requests;
    expect([request?.method, request?.path]).toEqual(["PUT", "/v1/trust-policies/github-deploy"]);
    expect(request?.body).toEqual({
      issuer: "https://token.actions.githubusercontent.com",
      audience: "https://keyward.example.com",
      claims: { repository_id: "123456", ref: "refs/heads/main" },
      scopes: ["keys:read"],
      ttl: "10m",
    });
    const list = await keyward(["trust-policies", "list"]);
    expect(list.stdout).toContain("github-deploy");
    expect(list.stdout).toContain("repository_id=123456");
    const bad = await keyward(["trust-policies", "put", "x", "--audience", "a", "--claim", "no-equals-sign", "--scope", "keys:read"]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("--claim must be NAME=VALUE");
  });

  it("prints lists as a table and as JSON with --json", async () => {
    const table = await keyward(["keys", "list", "--project", "billing-api"]);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/ID\s+│ PROJECT\s+│ ENV\s+│ NAME/);
    expect(table.stdout).toContain(keyId);
    const json = await keyward(["keys", "list", "--project", "billing-api", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject([{ id: keyId, project: "billing-api" }]);
    expect(fake.requests.map((request) => request.query.get("project"))).toEqual(["billing-api", "billing-api"]);
  });

  it("writes a created key's secret alone on stdout, the details on stderr", async () => {
    const run = await keyward(["keys", "create", "--project", "billing-api", "--environment", "live", "--name", "ci", "--scope", "invoices:read", "--scope", "invoices:write", "--rotate-every", "30d", "--grace-period", "24h", "--rate-limit", "100/1m", "--metadata", "team=payments", "--ip", "10.0.0.0/8"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^kw_live_[0-9A-Za-z]{49}\n$/);
    expect(run.stderr).toContain("shown this once");
    expect(run.stderr).toContain(keyId);
    expect(fake.requests[0]?.body).toEqual({
      project: "billing-api",
      environment: "live",
      name: "ci",
      scopes: ["invoices:read", "invoices:write"],
      rotation: { every: "30d", grace_period: "24h" },
      ip_allowlist: ["10.0.0.0/8"],
      rate_limit: { requests: 100, window: "1m" },
      metadata: { team: "payments" },
    });
  });

  it("includes the secret in --json output of create and rotate only", async () => {
    const created = JSON.parse((await keyward(["keys", "create", "--project", "billing-api", "--environment", "live", "--name", "ci", "--json"])).stdout);
    expect(created.secret).toMatch(/^kw_live_/);
    const rotated = JSON.parse((await keyward(["keys", "rotate", keyId, "--grace-period", "1h", "--idempotency-key", "r-1", "--json"])).stdout);
    expect(rotated.secret).toMatch(/^kw_live_/);
    expect(rotated.previous.version).toBe(1);
    expect(fake.requests[1]?.headers["idempotency-key"]).toBe("r-1");
    expect(fake.requests[1]?.body).toEqual({ grace_period: "1h" });
    const got = await keyward(["keys", "get", keyId, "--json"]);
    expect(JSON.parse(got.stdout)).not.toHaveProperty("secret");
  });

  it("resolves project/environment/name to a key id", async () => {
    await keyward(["keys", "revoke", "billing-api/live/ci-deployer"]);
    expect(fake.requests.map((request) => request.operationId)).toEqual(["listKeys", "revokeKey"]);
    expect(Object.fromEntries(fake.requests[0]?.query ?? [])).toMatchObject({ project: "billing-api", environment: "live", name: "ci-deployer" });
    expect(fake.requests[1]?.path).toBe(`/v1/keys/${keyId}/revoke`);
  });

  it("builds a PATCH from update flags, filling a half-given rotation from the key", async () => {
    const run = await keyward(["keys", "update", keyId, "--grace-period", "2h", "--clear-expiry", "--scope", "invoices:read"]);
    expect(run.exitCode).toBe(0);
    expect(fake.requests.map((request) => request.operationId)).toEqual(["getKey", "updateKey"]);
    expect(fake.requests[1]?.body).toEqual({ scopes: ["invoices:read"], expires_at: null, rotation: { every: "30d", grace_period: "2h" } });
  });

  it("sends --destination as the key's destinations on create and update, and refuses a malformed one before any request", async () => {
    await keyward([
      "keys", "create", "--project", "billing-api", "--environment", "live", "--name", "ci",
      "--destination", "repo=acme/billing,name=BILLING_API_KEY,environment=production",
      "--destination", "org=acme,name=BILLING_API_KEY,visibility=selected,repos=acme/web+acme/api,app=dependabot",
    ]);
    expect(fake.requests[0]?.body).toMatchObject({
      destinations: [
        { type: "github_secret", repository: "acme/billing", name: "BILLING_API_KEY", environment: "production", app: "actions" },
        { type: "github_org_secret", org: "acme", name: "BILLING_API_KEY", visibility: "selected", selected_repositories: ["acme/web", "acme/api"], app: "dependabot" },
      ],
    });
    await keyward(["keys", "update", keyId, "--clear-destinations"]);
    expect(fake.requests[1]?.body).toEqual({ destinations: [] });
    const before = fake.requests.length;
    const bad = await keyward(["keys", "update", keyId, "--destination", "name=X"]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("Invalid --destination 'name=X'. Expected repo=OWNER/REPO,name=SECRET");
    expect(fake.requests.length).toBe(before);
  });

  it("reports the server's message and field issues on stderr with exit code 1", async () => {
    fake.script({
      status: 400,
      body: { error: { code: "BAD_REQUEST", message: "body.scopes[0]: is not declared in project billing-api", request_id: "req_9", details: [{ field: "body.scopes[0]", message: "is not declared in project billing-api" }] } },
    });
    const run = await keyward(["keys", "create", "--project", "billing-api", "--environment", "live", "--name", "ci", "--scope", "nope"]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("keyward: body.scopes[0]: is not declared in project billing-api (BAD_REQUEST, request req_9)");
  });

  it("refuses bad flags before any request, naming the flag and the expected form", async () => {
    const rate = await keyward(["keys", "create", "--project", "p1", "--environment", "live", "--name", "ci", "--rate-limit", "lots"]);
    expect(rate.stderr).toContain("Invalid --rate-limit 'lots'. Expected REQUESTS/WINDOW such as 100/1m.");
    const rotation = await keyward(["keys", "create", "--project", "p1", "--environment", "live", "--name", "ci", "--rotate-every", "30d"]);
    expect(rotation.stderr).toContain("--rotate-every needs --grace-period");
    const reference = await keyward(["keys", "get", "not-a-key"]);
    expect(reference.stderr).toContain("Invalid key 'not-a-key'. Expected a key id");
    const nothing = await keyward(["keys", "update", keyId]);
    expect(nothing.stderr).toContain("Nothing to update");
    for (const run of [rate, rotation, reference, nothing]) expect(run.exitCode).toBe(1);
    expect(fake.requests).toEqual([]);
  });

  it("takes the token from KEYWARD_TOKEN only, never from an argument", async () => {
    const missing = await keyward(["projects", "list"], { env: { KEYWARD_URL: fake.url } });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("KEYWARD_TOKEN is not set");
    const flag = await keyward(["projects", "list", "--token", token], { env: { KEYWARD_URL: fake.url } });
    expect(flag.exitCode).toBe(1);
    expect(flag.stderr).toContain("unknown option '--token'");
    expect(fake.requests).toEqual([]);
  });

  it("verify reads the key from stdin with '-', prints the outcome and exits 3 when not VALID", async () => {
    const secret = newKeySecret();
    fake.script({ status: 200, body: { valid: false, code: "INSUFFICIENT_SCOPE" } });
    const run = await keyward(["verify", "-", "--scope", "invoices:delete", "--json"], { stdin: `${secret}\n` });
    expect(JSON.parse(run.stdout)).toEqual({ valid: false, code: "INSUFFICIENT_SCOPE" });
    expect(run.exitCode).toBe(3);
    expect(fake.requests[0]?.body).toEqual({ key: secret, scopes: ["invoices:delete"] });
    const valid = await keyward(["verify", secret]);
    expect(valid.exitCode).toBe(0);
    expect(valid.stdout).toMatch(/code\s+│ VALID/);
  });

  it("audit verify exits 1 when the chain is broken", async () => {
    fake.script({ status: 200, body: { ok: false, checked: 12, first_bad: "evt_7" } });
    const run = await keyward(["audit", "verify"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("broken at event evt_7");
  });

  it("accepts scopes put as create-or-update, reporting which it did", async () => {
    const scope = { project: "billing-api", name: "invoices:read", description: "Read", created_at: "2026-11-22T07:00:00Z", updated_at: "2026-11-22T07:00:00Z" };
    fake.script({ status: 201, body: scope }, { status: 200, body: scope });
    const created = await keyward(["scopes", "put", "billing-api", "invoices:read", "--description", "Read"]);
    const updated = await keyward(["scopes", "update", "billing-api", "invoices:read", "--description", "Read"]);
    expect([created.stderr, updated.stderr]).toEqual([expect.stringContaining("Created scope invoices:read."), expect.stringContaining("already existed; updated it.")]);
    expect(fake.requests.map((request) => [request.method, request.path, request.body])).toEqual([
      ["PUT", "/v1/projects/billing-api/scopes/invoices%3Aread", { description: "Read" }],
      ["PUT", "/v1/projects/billing-api/scopes/invoices%3Aread", { description: "Read" }],
    ]);
  });

  it("says so on stderr when a list is empty", async () => {
    fake.script({ status: 200, body: { data: [], next_cursor: null } });
    const run = await keyward(["tokens", "list"]);
    expect(run).toEqual({ stdout: "", stderr: "No tokens.\n", exitCode: 0 });
  });
});

describe("keyward webhooks", () => {
  it("writes a created webhook's signing secret alone on stdout, the details on stderr", async () => {
    const run = await keyward(["webhooks", "create", "--url", "https://hooks.example.com/keyward", "--event", "key.rotated", "--event", "key.exposed", "--project", "billing-api"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^whsec_[A-Za-z0-9+/]{43}=\n$/);
    expect(run.stderr).toContain(webhookId);
    expect(run.stderr).not.toContain(run.stdout.trim());
    expect(fake.requests[0]?.body).toEqual({ url: "https://hooks.example.com/keyward", events: ["key.rotated", "key.exposed"], project: "billing-api" });
  });

  it("lists, shows, deletes and reads the delivery log", async () => {
    expect((await keyward(["webhooks", "list"])).stdout).toContain(webhookId);
    expect(JSON.parse((await keyward(["webhooks", "get", webhookId, "--json"])).stdout)).toMatchObject({ id: webhookId });
    const log = await keyward(["webhooks", "deliveries", webhookId, "--status", "succeeded"]);
    expect(log.stdout).toMatch(/key\.rotated\s+│ succeeded\s+│ 1\s+│ 200/);
    expect((await keyward(["webhooks", "delete", webhookId])).stderr).toContain(`Deleted webhook ${webhookId}`);
    expect(fake.requests.map((request) => request.operationId)).toEqual(["listWebhooks", "getWebhook", "listWebhookDeliveries", "deleteWebhook"]);
    expect(fake.requests[2]?.query.get("status")).toBe("succeeded");
  });
});
