import { Secret } from "@keyward/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubEmulator } from "../../../test/github-emulator/github-emulator";
import { GitHubRequestError, GitHubSecrets } from "./github-secrets";
import { sealSecret } from "./sealed-box";
import type { SecretDestination } from "./secret-destination";

let github: GitHubEmulator;
let client: GitHubSecrets;
const waits: string[] = [];
const repository: SecretDestination = { kind: "repository", repository: "acme/api", app: "actions" };

beforeAll(async () => {
  github = await GitHubEmulator.start();
  github.addRepository("acme/api", { environments: ["prod/eu"] });
  github.addOrganization("acme");
  github.addToken("ghs_writer", {
    repositories: { "acme/api": ["metadata", "secrets", "environments"] },
    organizations: { acme: ["organization_secrets"] },
  });
  client = GitHubSecrets.connect({ token: new Secret("ghs_writer"), baseUrl: github.url, userAgent: "keyward-action/test", onWait: (m) => waits.push(m), debug: () => {} });
});

afterAll(async () => {
  await github.stop();
});

describe("GitHubSecrets", () => {
  it("seals for the target's public key and writes; GitHub decrypts the value, 201 then 204", async () => {
    const value = new Secret("kw_test_sealed_value_1");
    const first = await client.put(repository, "API_KEY", await sealSecret(value, await client.publicKey(repository)));
    const second = await client.put(repository, "API_KEY", await sealSecret(value, await client.publicKey(repository)));
    expect([first, second]).toEqual(["created", "updated"]);
    expect(github.secretValue({ kind: "repository", repository: "acme/api" }, "API_KEY")).toBe("kw_test_sealed_value_1");
    const put = github.requestsTo("put-secret").at(-1);
    expect(put?.apiVersion).toBe("2022-11-28");
    expect(put?.userAgent).toMatch(/^keyward-action\/test /);
    expect(JSON.stringify(put?.body)).not.toContain("kw_test_sealed_value_1");
  });

  it("URL-encodes environment names and sends org visibility with repository ids", async () => {
    const environment: SecretDestination = { kind: "environment", repository: "acme/api", environment: "prod/eu" };
    await client.put(environment, "ENV_KEY", await sealSecret(new Secret("env-value"), await client.publicKey(environment)));
    expect(github.secretValue({ kind: "environment", repository: "acme/api", environment: "prod/eu" }, "ENV_KEY")).toBe("env-value");

    const org: SecretDestination = { kind: "organization", org: "acme", app: "actions", visibility: "selected", selectedRepositories: ["acme/api"] };
    const id = await client.repositoryId("acme/api");
    await client.put(org, "ORG_KEY", await sealSecret(new Secret("org-value"), await client.publicKey(org)), [id]);
    expect(github.secret({ kind: "organization", org: "acme" }, "ORG_KEY")).toMatchObject({ value: "org-value", visibility: "selected", selectedRepositoryIds: [id] });
  });

  it("waits out a secondary rate limit for retry-after seconds, then succeeds", async () => {
    const before = github.requestsTo("get-public-key").length;
    github.failNext("get-public-key", { status: 429, retryAfter: 1 });
    await expect(client.publicKey(repository)).resolves.toMatchObject({ key_id: expect.any(String) });
    const attempts = github.requestsTo("get-public-key").slice(before);
    expect(attempts.map((attempt) => attempt.status)).toEqual([429, 200]);
    expect(waits.at(-1)).toMatch(/secondary rate limit on GET \/repos\/acme\/api\/actions\/secrets\/public-key; retrying in 1s/);
  });

  it("waits for x-ratelimit-reset when the primary rate limit is used up", async () => {
    const before = github.requestsTo("get-public-key").length;
    github.failNext("get-public-key", { status: 403, rateLimitReset: Math.floor(Date.now() / 1000) });
    await expect(client.publicKey(repository)).resolves.toBeDefined();
    expect(github.requestsTo("get-public-key").slice(before).map((attempt) => attempt.status)).toEqual([403, 200]);
    expect(waits.at(-1)).toMatch(/^GitHub primary rate limit on GET \/repos\/acme\/api\/actions\/secrets\/public-key; retrying in [01]s$/);
  });

  it("gives up on a rate limit that resets too far ahead, with GitHub's message", async () => {
    github.failNext("get-public-key", { status: 403, rateLimitReset: Math.floor(Date.now() / 1000) + 3600 });
    await expect(client.publicKey(repository)).rejects.toThrow("GitHub answered 403 to GET /repos/acme/api/actions/secrets/public-key: API rate limit exceeded.");
  });

  it("retries a server error and succeeds", async () => {
    const before = github.requestsTo("get-public-key").length;
    github.failNext("get-public-key", { status: 502 });
    await expect(client.publicKey(repository)).resolves.toBeDefined();
    expect(github.requestsTo("get-public-key").slice(before).map((attempt) => attempt.status)).toEqual([502, 200]);
  });

  it("does not retry a permission error and reports it without any body", async () => {
    const before = github.requestsTo("put-secret").length;
    github.failNext("put-secret", { status: 403 });
    const sealed = await sealSecret(new Secret("kw_never_printed_value"), await client.publicKey(repository));
    const error = await client.put(repository, "DENIED", sealed).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GitHubRequestError);
    expect((error as GitHubRequestError).message).toBe(
      "GitHub answered 403 to PUT /repos/acme/api/actions/secrets/DENIED: Resource not accessible by personal access token",
    );
    expect(JSON.stringify(error)).not.toContain(sealed.encrypted_value);
    expect(github.requestsTo("put-secret").length - before).toBe(1);
  });
});
