import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keyward, NotFoundError } from "@keyward/client";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKeyward } from "../../packages/server/src/index";
import { WebhookReceiver } from "../../packages/server/test/webhook-receiver";
import { installKeywardProvider, keywardProviderExecutable } from "./keyward-provider-build";
import { TerraformWorkspace } from "./terraform-workspace";

/**
 * `keyward_webhook` driven by the real terraform CLI against a real key service (SPEC §15): the
 * signing secret is sensitive and computed, verifies real deliveries, never shows in plan or apply
 * output; a change replaces the webhook; import by id; destroy deletes it.
 */
let service: { url: string; rootToken: string; close(): Promise<void> };
let keyward: Keyward;
let receiver: WebhookReceiver;
let workspace: TerraformWorkspace;
let buildDir: string;
const transcripts: string[] = [];
const secrets: string[] = [];

const configuration = (events: string) => `terraform {
  required_providers {
    keyward = { source = "keyward/keyward" }
  }
}
variable "keyward_url" { type = string }
variable "keyward_token" {
  type      = string
  sensitive = true
}
variable "receiver_url" { type = string }
provider "keyward" {
  endpoint = var.keyward_url
  token    = var.keyward_token
}
resource "keyward_project" "billing" { name = "hooked" }
resource "keyward_webhook" "alerts" {
  url     = var.receiver_url
  events  = ${events}
  project = keyward_project.billing.name
}
output "webhook_id" { value = keyward_webhook.alerts.id }
output "webhook_secret" {
  value     = keyward_webhook.alerts.secret
  sensitive = true
}
`;

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), "keyward-webhook-provider-"));
  receiver = await WebhookReceiver.start();
  let executable: string;
  [service, executable] = await Promise.all([startKeyward({ allowPrivateWebhooks: true }), keywardProviderExecutable(buildDir)]);
  keyward = new Keyward({ url: service.url, token: service.rootToken });
  workspace = await TerraformWorkspace.create({
    env: { TF_VAR_keyward_url: service.url, TF_VAR_keyward_token: service.rootToken, TF_VAR_receiver_url: receiver.url, TF_LOG: "trace" },
  });
  await installKeywardProvider({ dir: workspace.mirror, executable });
  await workspace.writeFile("main.tf", configuration('["key.created"]'));
  await workspace.init();
});
afterAll(async () => {
  await workspace?.dispose();
  await service?.close();
  await receiver?.close();
  await rm(buildDir, { recursive: true, force: true });
});

async function applyAndKeep(): Promise<{ id: string; secret: string }> {
  const applied = await workspace.apply();
  transcripts.push(applied.stdout, applied.stderr);
  const outputs = await workspace.outputs();
  expect(outputs.webhook_secret?.sensitive).toBe(true);
  secrets.push(outputs.webhook_secret?.value as string);
  return { id: outputs.webhook_id?.value as string, secret: outputs.webhook_secret?.value as string };
}

describe("keyward_webhook with the terraform CLI", () => {
  let first: { id: string; secret: string };

  it("creates a webhook whose sensitive secret verifies real deliveries", async () => {
    first = await applyAndKeep();
    expect(first.id).toMatch(/^whk_/);
    expect(first.secret).toMatch(/^whsec_/);
    expect(await keyward.webhooks.get(first.id)).toMatchObject({ url: receiver.url, events: ["key.created"], project: "hooked", environment: null });
    await keyward.keys.create({ project: "hooked", environment: "test", name: "hooked-key", scopes: [] });
    await receiver.until(() => receiver.received.length >= 1);
    const delivery = receiver.received[0] as { body: string; headers: Record<string, string> };
    expect(new Webhook(first.secret).verify(delivery.body, delivery.headers)).toMatchObject({ type: "key.created" });
    expect((await workspace.plan()).exitCode).toBe(0);
  });

  it("replaces the webhook, with a new secret, when its events change", async () => {
    await workspace.writeFile("main.tf", configuration('["key.created", "key.exposed"]'));
    const plan = await workspace.plan();
    transcripts.push(plan.stdout, plan.stderr);
    expect(plan.stdout).toContain("keyward_webhook.alerts must be replaced");
    const second = await applyAndKeep();
    expect(second.id).not.toBe(first.id);
    expect(second.secret).not.toBe(first.secret);
    await expect(keyward.webhooks.get(first.id)).rejects.toBeInstanceOf(NotFoundError);
    first = second;
  });

  it("imports a webhook by id with no changes planned and a null secret", async () => {
    await workspace.run(["state", "rm", "-no-color", "keyward_webhook.alerts"]);
    const imported = await workspace.run(["import", "-no-color", "-input=false", "keyward_webhook.alerts", first.id]);
    transcripts.push(imported.stdout, imported.stderr);
    expect((await workspace.stateAttributes("keyward_webhook.alerts"))?.secret).toBeNull();
    // Only the secret output changes (to null): the webhook itself is as configured.
    const plan = await workspace.plan();
    expect(plan.stdout).toContain("No changes. Your infrastructure matches the configuration.");
    expect(plan.stdout).not.toMatch(/keyward_webhook\.alerts (will|must) be/);
  });

  it("destroys the webhook, and no plan, apply or trace log showed a secret", async () => {
    const destroyed = await workspace.destroy();
    transcripts.push(destroyed.stdout, destroyed.stderr);
    await expect(keyward.webhooks.get(first.id)).rejects.toBeInstanceOf(NotFoundError);
    const everything = transcripts.join("\n");
    expect(secrets).toHaveLength(2);
    for (const secret of secrets) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(secret.slice("whsec_".length));
    }
  });
});
