import sodium from "libsodium-wrappers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubEmulator } from "./github-emulator";
import type { SecretLocation } from "./secret-location";

let github: GitHubEmulator;

beforeAll(async () => {
  github = await GitHubEmulator.start();
  github.addRepository("acme/api", { environments: ["production"] });
  github.addRepository("acme/web");
  github.addRepository("other/tool");
  github.addOrganization("acme");
  github.addToken("full", {
    repositories: { "acme/api": ["metadata", "secrets", "environments", "dependabot_secrets"] },
    organizations: { acme: ["organization_secrets"] },
  });
  github.addToken("read-only", { repositories: { "acme/api": ["metadata"] } });
  github.addToken("commenter", { repositories: { "acme/api": ["metadata", "pull_requests"] } });
});

afterAll(async () => {
  await github.stop();
});

async function call(method: string, path: string, token: string | undefined, body?: unknown) {
  const response = await fetch(`${github.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      "x-github-api-version": "2022-11-28",
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

async function seal(value: string, base: string, token = "full") {
  const { body } = await call("GET", `${base}/public-key`, token);
  const sealed = sodium.crypto_box_seal(value, sodium.from_base64(body.key, sodium.base64_variants.ORIGINAL));
  return { encrypted_value: sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL), key_id: body.key_id as string };
}

describe("GitHub secrets API emulator", () => {
  it("gives each location its own public key", async () => {
    const paths = [
      "/repos/acme/api/actions/secrets/public-key",
      "/repos/acme/api/dependabot/secrets/public-key",
      "/repos/acme/api/environments/production/secrets/public-key",
      "/orgs/acme/actions/secrets/public-key",
    ];
    const keys = await Promise.all(paths.map((path) => call("GET", path, "full")));
    expect(keys.map((key) => key.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(keys.map((key) => key.body.key)).size).toBe(4);
    expect(new Set(keys.map((key) => key.body.key_id)).size).toBe(4);
  });

  it("decrypts a sealed value, stores the name upper-case, answers 201 then 204", async () => {
    const location: SecretLocation = { kind: "repository", repository: "acme/api" };
    const first = await call("PUT", "/repos/acme/api/actions/secrets/api_key", "full", await seal("v1", "/repos/acme/api/actions/secrets"));
    const second = await call("PUT", "/repos/acme/api/actions/secrets/API_KEY", "full", await seal("v2", "/repos/acme/api/actions/secrets"));
    expect([first.status, second.status]).toEqual([201, 204]);
    expect(github.secretValue(location, "api_key")).toBe("v2");
    expect(github.secretNames(location)).toContain("API_KEY");
    const metadata = await call("GET", "/repos/acme/api/actions/secrets/api_key", "full");
    expect(metadata.body).toMatchObject({ name: "API_KEY" });
    expect(JSON.stringify(metadata.body)).not.toContain("v2");
  });

  it("keeps environment and Dependabot secrets apart from Actions secrets", async () => {
    await call("PUT", "/repos/acme/api/environments/production/secrets/TOKEN", "full", await seal("env", "/repos/acme/api/environments/production/secrets"));
    await call("PUT", "/repos/acme/api/dependabot/secrets/TOKEN", "full", await seal("bot", "/repos/acme/api/dependabot/secrets"));
    expect(github.secretValue({ kind: "environment", repository: "acme/api", environment: "production" }, "TOKEN")).toBe("env");
    expect(github.secretValue({ kind: "repository", repository: "acme/api", app: "dependabot" }, "TOKEN")).toBe("bot");
    expect(github.secretValue({ kind: "repository", repository: "acme/api" }, "TOKEN")).toBeUndefined();
  });

  it.each([["GITHUB_X"], ["1ABC"], ["has-dash"]])("refuses the secret name %s with 422", async (name) => {
    const response = await call("PUT", `/repos/acme/api/actions/secrets/${name}`, "full", await seal("v", "/repos/acme/api/actions/secrets"));
    expect(response.status).toBe(422);
    expect(github.secretValue({ kind: "repository", repository: "acme/api" }, name)).toBeUndefined();
  });

  it("refuses a stale key id, an unsealed value and a value over 48 KB", async () => {
    const sealed = await seal("v", "/repos/acme/api/actions/secrets");
    expect((await call("PUT", "/repos/acme/api/actions/secrets/A", "full", { ...sealed, key_id: "1" })).status).toBe(422);
    expect((await call("PUT", "/repos/acme/api/actions/secrets/A", "full", { ...sealed, encrypted_value: "aGVsbG8=" })).status).toBe(422);
    const large = await seal("x".repeat(48 * 1024 + 1), "/repos/acme/api/actions/secrets");
    expect((await call("PUT", "/repos/acme/api/actions/secrets/A", "full", large)).status).toBe(422);
    expect(github.secretValue({ kind: "repository", repository: "acme/api" }, "A")).toBeUndefined();
  });

  it("refuses a value sealed for a key that was since replaced", async () => {
    const location: SecretLocation = { kind: "repository", repository: "acme/api", app: "dependabot" };
    const sealed = await seal("v", "/repos/acme/api/dependabot/secrets");
    github.rotatePublicKey(location);
    expect((await call("PUT", "/repos/acme/api/dependabot/secrets/B", "full", sealed)).status).toBe(422);
  });

  it("applies the org visibility rules and checks selected repositories belong to the org", async () => {
    const base = "/orgs/acme/actions/secrets";
    const api = github.addRepository("acme/selected-target");
    expect((await call("PUT", `${base}/ORG_A`, "full", await seal("o", base))).status).toBe(422);
    expect((await call("PUT", `${base}/ORG_A`, "full", { ...(await seal("o", base)), visibility: "all", selected_repository_ids: [api.id] })).status).toBe(422);
    expect((await call("PUT", `${base}/ORG_A`, "full", { ...(await seal("o", base)), visibility: "selected", selected_repository_ids: [1] })).status).toBe(422);
    const ok = await call("PUT", `${base}/ORG_A`, "full", { ...(await seal("o", base)), visibility: "selected", selected_repository_ids: [api.id] });
    expect(ok.status).toBe(201);
    expect(github.secret({ kind: "organization", org: "acme" }, "ORG_A")).toMatchObject({ value: "o", visibility: "selected", selectedRepositoryIds: [api.id] });
  });

  it("looks up a repository id by name for a token that can see it, 404 otherwise", async () => {
    const seen = await call("GET", "/repos/acme/web", "full");
    expect(seen.status).toBe(200);
    expect(seen.body.id).toEqual(expect.any(Number));
    expect((await call("GET", "/repos/other/tool", "full")).status).toBe(404);
    expect((await call("GET", "/repos/acme/missing", "full")).status).toBe(404);
  });

  it("answers 401 without a known token and 403 without the permission", async () => {
    expect((await call("GET", "/repos/acme/api/actions/secrets/public-key", undefined)).status).toBe(401);
    expect((await call("GET", "/repos/acme/api/actions/secrets/public-key", "nope")).status).toBe(401);
    const denied = await call("GET", "/repos/acme/api/actions/secrets/public-key", "read-only");
    expect(denied.status).toBe(403);
    expect(denied.body.message).toMatch(/Resource not accessible/);
    expect((await call("GET", "/orgs/acme/actions/secrets/public-key", "read-only")).status).toBe(404);
  });

  it("injects failures per route with retry-after and rate-limit headers, then recovers", async () => {
    github.failNext("get-public-key", { status: 429, retryAfter: 3, pathIncludes: "/repos/acme/api/actions" });
    github.failNext("get-public-key", { status: 403, rateLimitReset: 1_900_000_000 });
    const limited = await call("GET", "/repos/acme/api/actions/secrets/public-key", "full");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect(limited.body.message).toMatch(/secondary rate limit/);
    const primary = await call("GET", "/repos/acme/api/actions/secrets/public-key", "full");
    expect([primary.status, primary.headers.get("x-ratelimit-remaining"), primary.headers.get("x-ratelimit-reset")]).toEqual([403, "0", "1900000000"]);
    expect((await call("GET", "/repos/acme/api/actions/secrets/public-key", "full")).status).toBe(200);
  });

  it("records every request with its route, status and API version", async () => {
    const before = github.requests.length;
    await call("GET", "/repos/acme/web", "full");
    await call("GET", "/nowhere", "full");
    expect(github.requests.slice(before)).toMatchObject([
      { method: "GET", path: "/repos/acme/web", route: "get-repository", status: 200, apiVersion: "2022-11-28", token: "full" },
      { method: "GET", path: "/nowhere", route: "unknown", status: 404 },
    ]);
  });

  it("lists, creates, edits and deletes pull request comments with pagination and permission checks", async () => {
    github.addPullRequest("acme/api", 7);
    for (let index = 0; index < 3; index++) github.addComment("acme/api", 7, `someone else ${index}`);
    const created = await call("POST", "/repos/acme/api/issues/7/comments", "commenter", { body: "<!-- keyward-review -->\nfirst" });
    expect(created.status).toBe(201);
    expect(created.body.user).toEqual({ login: "github-actions[bot]", type: "Bot" });

    const firstPage = await call("GET", "/repos/acme/api/issues/7/comments?per_page=2", "commenter");
    expect(firstPage.body).toHaveLength(2);
    expect(firstPage.headers.get("link")).toContain('page=2>; rel="next"');
    const secondPage = await call("GET", "/repos/acme/api/issues/7/comments?per_page=2&page=2", "commenter");
    expect(secondPage.body.map((comment: { id: number }) => comment.id)).toEqual([created.body.id - 1, created.body.id]);
    expect(secondPage.headers.get("link")).toBeNull();

    const edited = await call("PATCH", `/repos/acme/api/issues/comments/${created.body.id}`, "commenter", { body: "<!-- keyward-review -->\nsecond" });
    expect(edited.status).toBe(200);
    expect(github.comments("acme/api", 7).map((comment) => comment.body).at(-1)).toBe("<!-- keyward-review -->\nsecond");
    expect(github.comments("acme/api", 7)).toHaveLength(4);

    expect((await call("POST", "/repos/acme/api/issues/7/comments", "read-only", { body: "x" })).status).toBe(403);
    expect((await call("POST", "/repos/acme/api/issues/8/comments", "commenter", { body: "x" })).status).toBe(404);
    expect((await call("POST", "/repos/acme/api/issues/7/comments", "commenter", { body: "" })).status).toBe(422);
    expect((await call("DELETE", `/repos/acme/api/issues/comments/${created.body.id}`, "commenter")).status).toBe(204);
    expect(github.comments("acme/api", 7)).toHaveLength(3);
  });

  it("refuses an unknown API version and a 101st repository secret", async () => {
    const response = await fetch(`${github.url}/repos/acme/web`, { headers: { authorization: "Bearer full", "x-github-api-version": "2020-01-01" } });
    expect(response.status).toBe(400);
    github.addRepository("acme/crowded");
    github.addToken("crowded", { repositories: { "acme/crowded": ["secrets"] } });
    const base = "/repos/acme/crowded/actions/secrets";
    for (let index = 0; index < 100; index++) {
      expect((await call("PUT", `${base}/S${index}`, "crowded", await seal("v", base, "crowded"))).status).toBe(201);
    }
    expect((await call("PUT", `${base}/S100`, "crowded", await seal("v", base, "crowded"))).status).toBe(422);
    expect((await call("PUT", `${base}/S0`, "crowded", await seal("w", base, "crowded"))).status).toBe(204);
  });
});
