import { composeSecret } from "@keyward/contract";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GithubStandIn } from "../../test/github-stand-in";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject, seedToken } from "../../test/keyward-under-test";
import { WebhookReceiver } from "../../test/webhook-receiver";

/** SPEC §15: GitHub's secret scanning partner endpoint, against a local stand-in for GitHub. */
let k: KeywardUnderTest;
let github: GithubStandIn;
let receiver: WebhookReceiver;
let signingSecret: string;
const keys: Record<"live" | "test" | "revoked", { id: string; secret: string }> = {} as never;
let token: { id: string; secret: string };

function lookAlike(secret: string): string {
  const last = secret.at(-1) === "A" ? "B" : "A";
  return secret.slice(0, -1) + last;
}

async function codeOf(secret: string): Promise<string> {
  return ((await k.call("POST", "/v1/verify", { body: { key: secret } })).json() as { code: string }).code;
}

function post(body: string, headers: Record<string, string>) {
  return k.inject({ method: "POST", url: "/v1/secret-scanning/github", headers: { "content-type": "application/json", ...headers }, payload: body });
}

async function auditActions(): Promise<string[]> {
  return ((await k.call("GET", "/v1/audit?limit=100")).json() as { data: { action: string }[] }).data.map((event) => event.action);
}

beforeAll(async () => {
  github = await GithubStandIn.start();
  receiver = await WebhookReceiver.start();
  k = await openKeywardUnderTest({ realTime: true, extra: { allowPrivateWebhooks: true, githubApiUrl: github.apiUrl, webhookPollMs: 50 } });
  await seedProject(k, "billing", ["invoices:read"]);
  expect((await k.call("PUT", "/v1/projects/billing/policy", { body: { test: { exposure: "rotate" } } })).json()).toEqual({
    project: "billing",
    live: { exposure: "revoke" },
    test: { exposure: "rotate" },
  });
  const hook = (await k.call("POST", "/v1/webhooks", { body: { url: receiver.url, events: ["key.exposed"], project: "billing" } })).json() as { secret: string };
  signingSecret = hook.secret;
  keys.live = await seedKey(k, { project: "billing", environment: "live", name: "leaky-live", scopes: ["invoices:read"] });
  keys.test = await seedKey(k, { project: "billing", environment: "test", name: "leaky-test", scopes: [] });
  keys.revoked = await seedKey(k, { project: "billing", environment: "live", name: "already-revoked", scopes: [] });
  await k.call("POST", `/v1/keys/${keys.revoked.id}/revoke`, { body: {} });
  token = await seedToken(k, { name: "leaky-token", scopes: ["keys:read"], project: "billing" });
});
afterAll(async () => {
  await k?.close();
  await github?.close();
  await receiver?.close();
});

const alertOf = (matches: { token: string; type: string }[]) =>
  JSON.stringify(matches.map((match) => ({ ...match, url: "https://github.com/acme/web/blob/abc123/config.js", source: "content" })));

describe("POST /v1/secret-scanning/github", () => {
  it("answers 401 and changes nothing for an unsigned or badly signed alert", async () => {
    const body = alertOf([{ token: keys.live.secret, type: "keyward_live_key" }]);
    const signed = github.signatureHeaders(body);
    const attempts: Record<string, string>[] = [
      {},
      { "github-public-key-identifier": github.keyIdentifier },
      { ...signed, "github-public-key-signature": github.signatureHeaders(`${body} `)["github-public-key-signature"] as string },
      { ...signed, "github-public-key-identifier": "unknown-key" },
      { ...signed, "github-public-key-signature": "not base64 at all" },
      { ...signed, authorization: `Bearer ${k.rootToken}`, "github-public-key-signature": "" },
    ];
    for (const headers of attempts) {
      const answer = await post(body, headers);
      expect(answer.statusCode, JSON.stringify(Object.keys(headers))).toBe(401);
      expect(answer.body).not.toContain(keys.live.secret);
    }
    // The signature covers the exact bytes: the same JSON re-serialised with other spacing fails.
    expect((await post(JSON.stringify(JSON.parse(body), null, 2), signed)).statusCode).toBe(401);
    expect(await codeOf(keys.live.secret)).toBe("VALID");
    expect(await auditActions()).not.toContain("key.exposed");
  });

  it("labels each match and applies the project's exposure policy within the request", async () => {
    const unknown = composeSecret("kw_live_", new Uint8Array(32).fill(9));
    const matches = [
      { token: keys.live.secret, type: "keyward_live_key" },
      { token: keys.test.secret, type: "keyward_test_key" },
      { token: keys.revoked.secret, type: "keyward_live_key" },
      { token: lookAlike(keys.live.secret), type: "keyward_live_key" },
      { token: unknown, type: "keyward_live_key" },
      { token: token.secret, type: "keyward_management_token" },
    ];
    const body = alertOf(matches);
    const answer = await post(body, github.signatureHeaders(body));
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual([
      { token_raw: keys.live.secret, token_type: "keyward_live_key", label: "true_positive" },
      { token_raw: keys.test.secret, token_type: "keyward_test_key", label: "true_positive" },
      { token_raw: keys.revoked.secret, token_type: "keyward_live_key", label: "true_positive" },
      { token_raw: lookAlike(keys.live.secret), token_type: "keyward_live_key", label: "false_positive" },
      { token_raw: unknown, token_type: "keyward_live_key", label: "false_positive" },
      { token_raw: token.secret, token_type: "keyward_management_token", label: "true_positive" },
    ]);

    // live: revoke (the default); test: rotate with no grace period.
    expect(await codeOf(keys.live.secret)).toBe("REVOKED");
    expect((await k.call("GET", `/v1/keys/${keys.live.id}`)).json()).toMatchObject({ status: "revoked" });
    expect(await codeOf(keys.test.secret)).not.toBe("VALID");
    expect((await k.call("GET", `/v1/keys/${keys.test.id}`)).json()).toMatchObject({ status: "active", version: 2 });
    expect((await k.call("GET", "/v1/keys?project=billing", { token: token.secret })).statusCode).toBe(401);

    await receiver.until(() => receiver.received.length >= 2);
    const verifier = new Webhook(signingSecret);
    const exposed = receiver.received.map((delivery) => verifier.verify(delivery.body, delivery.headers as Record<string, string>) as {
      type: string;
      data: { key: { id: string }; url: string; source: string; response: string };
    });
    expect(exposed.map((event) => [event.type, event.data.key.id, event.data.response]).sort()).toEqual(
      [["key.exposed", keys.live.id, "revoke"], ["key.exposed", keys.test.id, "rotate"]].sort(),
    );
    for (const event of exposed) expect(event.data).toMatchObject({ url: "https://github.com/acme/web/blob/abc123/config.js", source: "content" });

    const audit = ((await k.call("GET", "/v1/audit?action=key.exposed")).json() as { data: { target: string; actor: string | null; details: { url: string } }[] }).data;
    expect(audit.map((event) => event.target).sort()).toEqual([keys.live.id, keys.test.id, keys.revoked.id].sort());
    for (const event of audit) expect(event).toMatchObject({ actor: null, details: { url: "https://github.com/acme/web/blob/abc123/config.js" } });
    expect(await auditActions()).toContain("token.exposed");
    expect(github.keyRequests).toBe(1);
  });

  it("only notifies under a notify policy", async () => {
    await k.call("PUT", "/v1/projects/billing/policy", { body: { live: { exposure: "notify" } } });
    const kept = await seedKey(k, { project: "billing", environment: "live", name: "notify-only", scopes: [] });
    const body = alertOf([{ token: kept.secret, type: "keyward_live_key" }]);
    expect((await post(body, github.signatureHeaders(body))).json()).toEqual([{ token_raw: kept.secret, token_type: "keyward_live_key", label: "true_positive" }]);
    expect(await codeOf(kept.secret)).toBe("VALID");
    await receiver.until(() => receiver.types().length >= 3);
    expect(receiver.received.at(-1)?.body).toContain('"response":"notify"');
  });

  it("refuses a malformed alert with 400 once signed, naming the field", async () => {
    const body = JSON.stringify([{ token: 42 }]);
    const answer = await post(body, github.signatureHeaders(body));
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain("body[0].token");
  });

  it("keeps a project policy inside the caller's binding", async () => {
    const testOnly = await seedToken(k, { name: "policy-test", scopes: ["projects:write"], project: "billing", environment: "test" });
    expect((await k.call("PUT", "/v1/projects/billing/policy", { token: testOnly.secret, body: { live: { exposure: "notify" } } })).statusCode).toBe(403);
    expect((await k.call("PUT", "/v1/projects/billing/policy", { token: testOnly.secret, body: { test: { exposure: "revoke" } } })).statusCode).toBe(200);
    expect((await k.call("PUT", "/v1/projects/billing/policy", { body: { live: { exposure: "burn" } } })).statusCode).toBe(400);
    expect((await k.call("GET", "/v1/projects/billing/policy")).json()).toMatchObject({ live: { exposure: "notify" }, test: { exposure: "revoke" } });
  });
});
