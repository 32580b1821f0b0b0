// SPEC §15 + §13: a leaked key whose project's exposure policy is `rotate` gets a new secret that
// the key service itself writes to the key's GitHub destinations (KEYWARD_GITHUB_TOKEN), against
// the GitHub emulator, which also signs the partner alert the way GitHub does. A rotation with no
// grace period ends the leaked secret at once: it verifies as EXPIRED.
import { Keyward } from "@keyward/client";
import { Secret } from "@keyward/contract";
import { startKeyward } from "@keyward/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubEmulator } from "../github-emulator/github-emulator";

const REPOSITORY = "acme/billing";
const location = { kind: "repository", repository: REPOSITORY, app: "actions" } as const;

let github: GitHubEmulator;
const services: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  github = await GitHubEmulator.start();
  github.addRepository(REPOSITORY);
  github.addToken("server-token", { repositories: { [REPOSITORY]: ["metadata", "secrets"] } });
});
afterAll(async () => {
  await Promise.all(services.map((service) => service.close()));
  await github?.stop();
});

async function leakyWorld(githubToken?: string) {
  const service = await startKeyward({ githubApiUrl: github.url, ...(githubToken ? { githubToken: new Secret(githubToken) } : {}) });
  services.push(service);
  const keyward = new Keyward({ url: service.url, token: service.rootToken, maxRetries: 0 });
  const project = `leaky-${services.length}`;
  await keyward.projects.create({ name: project });
  const policy = await fetch(`${service.url}/v1/projects/${project}/policy`, {
    method: "PUT",
    headers: { authorization: `Bearer ${service.rootToken}`, "content-type": "application/json" },
    body: JSON.stringify({ live: { exposure: "rotate" } }),
  });
  expect(policy.status).toBe(200);
  const created = await keyward.keys.create({
    project,
    environment: "live",
    name: "payments",
    scopes: [],
    destinations: [{ type: "github_secret", repository: REPOSITORY, name: `${project.toUpperCase().replace("-", "_")}_KEY` }],
  });
  const secretName = `${project.toUpperCase().replace("-", "_")}_KEY`;
  return { service, keyward, key: created.key, leaked: created.secret.reveal(), secretName };
}

async function reportLeak(url: string, leaked: string): Promise<unknown> {
  const body = JSON.stringify([{ token: leaked, type: "keyward_live_key", url: "https://github.com/acme/public/blob/main/.env", source: "content" }]);
  const response = await fetch(`${url}/v1/secret-scanning/github`, { method: "POST", headers: { "content-type": "application/json", ...github.signSecretScanningAlert(body) }, body });
  expect(response.status).toBe(200);
  return response.json();
}

async function deliverEvent(keyward: Keyward, keyId: string) {
  const events = [];
  for await (const event of keyward.audit.list({ action: "key.deliver" })) if (event.target === keyId) events.push(event);
  expect(events).toHaveLength(1);
  return events[0]!;
}

describe("exposure policy rotate", () => {
  it("writes the new secret to the key's destinations; the leaked one stops at once", async () => {
    const { service, keyward, key, leaked, secretName } = await leakyWorld("server-token");
    expect(await reportLeak(service.url, leaked)).toEqual([{ token_raw: leaked, token_type: "keyward_live_key", label: "true_positive" }]);

    const delivered = github.secretValue(location, secretName);
    expect(delivered).toBeDefined();
    expect(delivered).not.toBe(leaked);
    expect((await keyward.verify({ key: leaked })).code).toBe("EXPIRED");
    expect(await keyward.verify({ key: delivered! })).toMatchObject({ valid: true, key: { id: key.id } });
    const event = await deliverEvent(keyward, key.id);
    expect(event.details).toMatchObject({ reason: "exposed", outcome: "delivered", delivered: [`GitHub ${REPOSITORY} secret ${secretName}`] });
    expect(JSON.stringify(event)).not.toContain(delivered);
  });

  it("still stops the leaked secret when GitHub refuses the write, and audits which destination failed", async () => {
    const { service, keyward, key, leaked, secretName } = await leakyWorld("server-token");
    github.failNext("put-secret", { status: 403 });
    await reportLeak(service.url, leaked);
    expect(github.secretValue(location, secretName)).toBeUndefined();
    expect((await keyward.verify({ key: leaked })).code).toBe("EXPIRED");
    const { details } = await deliverEvent(keyward, key.id);
    expect(details).toMatchObject({ delivered: [] });
    expect(String(details.outcome)).toContain(secretName);
    expect(String(details.outcome)).toContain("403");
  });

  it("without a GitHub token, rotates and says how to make delivery work", async () => {
    const { service, keyward, key, leaked, secretName } = await leakyWorld();
    await reportLeak(service.url, leaked);
    expect(github.secretValue(location, secretName)).toBeUndefined();
    expect((await keyward.verify({ key: leaked })).code).toBe("EXPIRED");
    expect((await deliverEvent(keyward, key.id)).details).toMatchObject({ delivered: [], outcome: expect.stringContaining("KEYWARD_GITHUB_TOKEN") });
  });
});
