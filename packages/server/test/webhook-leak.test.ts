import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeLeaks, findLeaks, type NamedSecret } from "../../../test/leak-scanner/leak-scanner";
import { createLogger } from "../src/logger";
import { GithubStandIn } from "./github-stand-in";
import { type KeywardUnderTest, openKeywardUnderTest, seedKey, seedProject, seedToken } from "./keyward-under-test";
import { WebhookReceiver } from "./webhook-receiver";

/**
 * SPEC §15 acceptance 4 (with SPEC §9's leak scan): after a key's whole life, management tokens,
 * failing receivers, GitHub alerts (well and badly signed) and an expiry notice, no key secret,
 * management token or webhook signing secret appears — in any encoding the leak scanner knows — in
 * a webhook body or its headers, a delivery log, an audit event or the debug log.
 */
let k: KeywardUnderTest;
let receiver: WebhookReceiver;
let failing: WebhookReceiver;
let github: GithubStandIn;
const log: Buffer[] = [];
const secrets: NamedSecret[] = [];
const webhookIds: string[] = [];

async function allPages(path: string): Promise<unknown[]> {
  const items: unknown[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const page = (await k.call("GET", `${path}${separator}limit=100${cursor ? `&cursor=${cursor}` : ""}`)).json() as { data: unknown[]; next_cursor: string | null };
    items.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  failing = await WebhookReceiver.start();
  failing.status = () => 500;
  github = await GithubStandIn.start();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      log.push(Buffer.from(chunk));
      done();
    },
  });
  k = await openKeywardUnderTest({
    realTime: true,
    logger: createLogger({ level: "debug", destination: sink }),
    extra: { allowPrivateWebhooks: true, githubApiUrl: github.apiUrl, webhookPollMs: 50, webhookRetry: { baseMs: 100, maxMs: 200 }, expiryCheckMs: 50 },
  });
  secrets.push({ label: "root token", value: k.rootToken });
  await seedProject(k, "leaky", ["invoices:read"]);
  for (const [name, target] of [["receiver", receiver], ["failing", failing]] as const) {
    const created = (await k.call("POST", "/v1/webhooks", { body: { url: target.url, events: ["key.created", "key.updated", "key.rotated", "key.rolled_back", "key.revoked", "key.deleted", "key.expiring", "key.exposed", "token.created", "token.revoked"] } })).json() as {
      webhook: { id: string };
      secret: string;
    };
    secrets.push({ label: `signing secret of ${name}`, value: created.secret });
    webhookIds.push(created.webhook.id);
  }

  const key = await seedKey(k, { project: "leaky", environment: "live", name: "lifecycle", scopes: ["invoices:read"], expires_at: new Date(Date.now() + 2 * 86_400_000).toISOString() });
  secrets.push({ label: "key v1", value: key.secret });
  await k.call("PATCH", `/v1/keys/${key.id}`, { body: { metadata: { team: "payments" } } });
  const rotated = (await k.call("POST", `/v1/keys/${key.id}/rotate`, { body: { grace_period: "1h" } })).json() as { secret: string };
  secrets.push({ label: "key v2", value: rotated.secret });
  await k.call("POST", `/v1/keys/${key.id}/rollback`, { body: {} });
  await k.call("POST", "/v1/verify", { body: { key: key.secret } });

  const exposed = await seedKey(k, { project: "leaky", environment: "test", name: "exposed", scopes: [] });
  secrets.push({ label: "exposed key", value: exposed.secret });
  const token = await seedToken(k, { name: "leaky-token", scopes: ["keys:read"], project: "leaky" });
  secrets.push({ label: "management token", value: token.secret });
  const alert = JSON.stringify([
    { token: exposed.secret, type: "keyward_test_key", url: "https://github.com/acme/web/blob/1/a.js", source: "content" },
    { token: token.secret, type: "keyward_management_token", url: "https://github.com/acme/web/blob/1/b.js", source: "content" },
  ]);
  const unsigned = await k.inject({ method: "POST", url: "/v1/secret-scanning/github", headers: { "content-type": "application/json" }, payload: alert });
  expect(unsigned.statusCode).toBe(401);
  const signed = await k.inject({ method: "POST", url: "/v1/secret-scanning/github", headers: { "content-type": "application/json", ...github.signatureHeaders(alert) }, payload: alert });
  expect(signed.statusCode).toBe(200);

  await k.call("POST", `/v1/keys/${key.id}/revoke`, { body: {} });
  await k.call("DELETE", `/v1/keys/${key.id}`);
  // Every event reached the healthy receiver, and the failing one was tried more than once.
  await receiver.until(() => receiver.types().includes("key.deleted") && receiver.types().includes("key.expiring") && receiver.types().filter((type) => type === "key.exposed").length === 1);
  await failing.until(() => failing.received.length >= 2 * receiver.received.length);
});
afterAll(async () => {
  await k?.close();
  await receiver?.close();
  await failing?.close();
  await github?.close();
});

describe("the webhook leak scan", () => {
  it("finds no secret in webhook bodies, delivery logs, audit events or the debug log", async () => {
    const texts: Record<string, string> = {
      "webhook bodies and headers": JSON.stringify([...receiver.received, ...failing.received]),
      "server log": Buffer.concat(log).toString("utf8"),
      "audit events": JSON.stringify(await allPages("/v1/audit")),
    };
    for (const id of webhookIds) texts[`delivery log of ${id}`] = JSON.stringify(await allPages(`/v1/webhooks/${id}/deliveries`));
    for (const id of webhookIds) texts[`webhook ${id}`] = (await k.call("GET", `/v1/webhooks/${id}`)).body;
    expect(texts["server log"]?.length).toBeGreaterThan(0);
    expect(texts["audit events"]).toContain("key.exposed");
    expect(texts["webhook bodies and headers"]).toContain("webhook-signature");
    expect(secrets.length).toBe(7);
    expect(describeLeaks(findLeaks(secrets, texts))).toBe("");
  });

  it("would find a secret that did leak (the scan can fail)", () => {
    const leaked = secrets[1] as NamedSecret;
    expect(findLeaks([leaked], { body: `{"note":"${Buffer.from(leaked.value).toString("base64")}"}` }).length).toBeGreaterThan(0);
  });
});
