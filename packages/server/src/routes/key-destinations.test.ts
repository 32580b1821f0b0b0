import { randomBytes } from "node:crypto";
import { composeSecret, keySecretPrefix } from "@keyward/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeywardUnderTest, openKeywardUnderTest, seedProject } from "../../test/keyward-under-test";

/** SPEC §13: destinations stored with the key, and client-supplied secrets on create and rotate. */
let k: KeywardUnderTest;
beforeAll(async () => {
  k = await openKeywardUnderTest();
  await seedProject(k, "billing", ["invoices:read"]);
});
afterAll(async () => {
  await k?.close();
});

const fresh = (environment: "test" | "live") => composeSecret(keySecretPrefix(environment), randomBytes(32));
const withLastCharacterChanged = (secret: string) => `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
const base = { project: "billing", scopes: ["invoices:read"] };
const repositorySecret = { type: "github_secret", repository: "acme/billing", name: "BILLING_API_KEY" };
const orgSecret = { type: "github_org_secret", org: "acme", name: "BILLING_API_KEY", visibility: "selected", selected_repositories: ["acme/web"] };

async function snapshot() {
  await k.keyward.services.usage.flush();
  return { keys: (await k.call("GET", "/v1/keys?limit=100")).json().data, events: (await k.call("GET", "/v1/audit?limit=100")).json().data.length };
}

describe("key destinations", () => {
  it("stores destinations with the key, shows them on GET and changes them with PATCH", async () => {
    const created = await k.call("POST", "/v1/keys", {
      body: { ...base, environment: "live", name: "delivered", destinations: [repositorySecret, { ...repositorySecret, environment: "production" }, orgSecret] },
    });
    expect(created.statusCode).toBe(201);
    const { key } = created.json();
    expect(key.destinations).toEqual([
      { ...repositorySecret, app: "actions" },
      { ...repositorySecret, environment: "production", app: "actions" },
      { ...orgSecret, app: "actions" },
    ]);
    expect((await k.call("GET", `/v1/keys/${key.id}`)).json().destinations).toEqual(key.destinations);
    const patched = await k.call("PATCH", `/v1/keys/${key.id}`, { body: { destinations: [{ ...repositorySecret, app: "dependabot" }] } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().destinations).toEqual([{ ...repositorySecret, app: "dependabot" }]);
    const audit = (await k.call("GET", "/v1/audit?action=key.update&limit=100")).json().data.at(-1);
    expect(audit.details.destinations_added).toEqual(["GitHub acme/billing (Dependabot) secret BILLING_API_KEY"]);
  });

  it.each([
    [{ ...repositorySecret, name: "1ST" }, "body.destinations[0].name", "GitHub secret name"],
    [{ ...repositorySecret, name: "GITHUB_TOKEN" }, "body.destinations[0].name", "GITHUB_"],
    [{ ...repositorySecret, name: "A".repeat(256) }, "body.destinations[0].name", "at most 255"],
    [{ ...repositorySecret, repository: "billing" }, "body.destinations[0].repository", "owner/repo"],
    [{ ...repositorySecret, environment: "production", app: "dependabot" }, "body.destinations[0].app", "Dependabot has no environment"],
    [{ ...repositorySecret, app: "codespaces" }, "body.destinations[0].app", "'actions' or 'dependabot'"],
    [{ ...orgSecret, visibility: "all" }, "body.destinations[0].selected_repositories", "only with visibility 'selected'"],
    [{ ...orgSecret, selected_repositories: [] }, "body.destinations[0].selected_repositories", "at least one repository"],
    [{ ...orgSecret, selected_repositories: ["other/web"] }, "body.destinations[0].selected_repositories", "belong to the organization"],
    [{ ...orgSecret, visibility: "public" }, "body.destinations[0].visibility", "'all', 'private' or 'selected'"],
    [{ type: "vault", path: "x" }, "body.destinations[0].type", "github_secret"],
  ])("refuses %j naming the field and the rule", async (destination, field, rule) => {
    const before = await snapshot();
    const answer = await k.call("POST", "/v1/keys", { body: { ...base, environment: "test", name: "bad-destination", destinations: [destination] } });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error.details).toContainEqual({ field, message: expect.stringContaining(rule) });
    expect(await snapshot()).toEqual(before);
  });

  it("refuses two destinations that name the same secret", async () => {
    const answer = await k.call("POST", "/v1/keys", {
      body: { ...base, environment: "test", name: "twice", destinations: [repositorySecret, { ...repositorySecret, name: "billing_api_key" }] },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error.details).toContainEqual({ field: "body.destinations", message: "must not name the same secret twice" });
  });
});

describe("client-supplied secrets", () => {
  it("issues and rotates a key with the client's secret, storing and auditing only that it was client-supplied", async () => {
    const first = fresh("live");
    const created = await k.call("POST", "/v1/keys", { body: { ...base, environment: "live", name: "supplied", secret: first } });
    expect(created.statusCode).toBe(201);
    expect(created.json().secret).toBe(first);
    const id = created.json().key.id;
    expect((await k.call("POST", "/v1/verify", { body: { key: first } })).json()).toMatchObject({ valid: true, code: "VALID" });
    const second = fresh("live");
    const rotated = await k.call("POST", `/v1/keys/${id}/rotate`, { body: { secret: second } });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json()).toMatchObject({ secret: second, key: { version: 2, hint: `kw_live_…${second.slice(-4)}` } });
    expect((await k.call("POST", "/v1/verify", { body: { key: second } })).json().code).toBe("VALID");
    const events = (await k.call("GET", "/v1/audit?limit=100")).json().data.filter((event: { target: string }) => event.target === id);
    expect(events.map((event: { details: { secret_source: string } }) => event.details.secret_source)).toEqual(["client", "client"]);
    expect(JSON.stringify(events)).not.toContain(first.slice(8, 30));
  });

  it.each([
    ["malformed", () => "kw_live_short", "must be a key secret"],
    ["a bad checksum", () => withLastCharacterChanged(fresh("live")), "checksum"],
    ["the other environment", () => fresh("test"), "key's environment (kw_live_…)"],
  ])("refuses a secret that is %s with 400 naming the rule, on create and rotate, changing nothing", async (_label, make, rule) => {
    const secret = make();
    const existing = (await k.call("POST", "/v1/keys", { body: { ...base, environment: "live", name: `target-${_label.length}` } })).json().key;
    const before = await snapshot();
    const create = await k.call("POST", "/v1/keys", { body: { ...base, environment: "live", name: "refused", secret } });
    const rotate = await k.call("POST", `/v1/keys/${existing.id}/rotate`, { body: { secret } });
    for (const answer of [create, rotate]) {
      expect(answer.statusCode).toBe(400);
      expect(answer.json().error.details).toContainEqual({ field: "body.secret", message: expect.stringContaining(rule) });
      expect(answer.body).not.toContain(secret);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a secret any key held before: current, previous, revoked or of a deleted key", async () => {
    const issued = (await k.call("POST", "/v1/keys", { body: { ...base, environment: "live", name: "used-before" } })).json();
    const current = issued.secret as string;
    const rotated = (await k.call("POST", `/v1/keys/${issued.key.id}/rotate`, { body: {} })).json();
    const other = (await k.call("POST", "/v1/keys", { body: { ...base, environment: "live", name: "deleted-later" } })).json();
    expect((await k.call("DELETE", `/v1/keys/${other.key.id}`)).statusCode).toBe(204);
    const before = await snapshot();
    for (const secret of [current, rotated.secret, other.secret]) {
      const create = await k.call("POST", "/v1/keys", { body: { ...base, environment: "live", name: "reuse", secret } });
      const rotate = await k.call("POST", `/v1/keys/${issued.key.id}/rotate`, { body: { secret } });
      for (const answer of [create, rotate]) {
        expect(answer.statusCode).toBe(400);
        expect(answer.json().error.details).toContainEqual({ field: "body.secret", message: expect.stringContaining("was used before") });
      }
    }
    expect(await snapshot()).toEqual(before);
  });
});
