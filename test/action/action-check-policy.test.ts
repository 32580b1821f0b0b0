import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeLeaks, scanForLeaks } from "../leak-scanner/leak-scanner";
import { RotationWorld } from "./rotation-world";

// Check mode against a real Keyward server (SPEC §18): keys that break a policy made stricter after
// they were created, and previous secrets still in use after their grace started, with their last IP.

let world: RotationWorld;
let legacyId: string;
let rotatedId: string;
const secrets: string[] = [];

beforeAll(async () => {
  world = await RotationWorld.open();
  await world.project("policy-api");
  legacyId = (await world.key("policy-api", "legacy", { every: "180d", grace_period: "1h" })).key.id;
  const rotated = await world.key("policy-api", "rotated", { every: "30d", grace_period: "24h" });
  rotatedId = rotated.key.id;
  const fresh = await world.admin.keys.rotate(rotatedId);
  secrets.push(rotated.secret, fresh.secret.reveal());
  // The policy is tightened after both keys exist: the service let them be, check mode lists them.
  await world.admin.projects.putPolicy("policy-api", { live: { max_rotation_every: "90d" } });
  expect((await world.admin.verify({ key: rotated.secret, ip: "198.51.100.7" })).code).toBe("VALID");
  // Usage is written in the background: wait until the key shows the previous secret's use.
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if ((await world.admin.keys.get(rotatedId)).previous?.last_used_ip) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect((await world.admin.keys.get(rotatedId)).previous).toMatchObject({ version: 1, last_used_ip: "198.51.100.7" });
});

afterAll(async () => {
  await world?.close();
});

describe("check mode and key policies", () => {
  it("lists a key that broke a policy made stricter later, and a previous secret still in use with its last IP", async () => {
    const run = await world.run({ mode: "check" });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.policy ?? "")).toEqual([
      expect.objectContaining({ id: legacyId, violations: [{ rule: "max_rotation_every", field: "rotation.every" }] }),
    ]);
    const inUse = JSON.parse(run.outputs["previous-in-use"] ?? "");
    expect(inUse).toEqual([expect.objectContaining({ id: rotatedId, previous: expect.objectContaining({ version: 1, last_used_ip: "198.51.100.7" }) })]);
    const summary = run.files.GITHUB_STEP_SUMMARY ?? "";
    expect(summary).toMatch(/\| policy-api\/live\/legacy \| key_\w+ \| rotation\.every must be at most 90d \(policy max_rotation_every\) \|/);
    expect(summary).toMatch(/\| policy-api\/live\/rotated \| key_\w+ \| 1 \| \S+ \| 198\.51\.100\.7 \|/);
    const values = [{ label: "keyward-token", value: world.actionToken }, ...secrets.map((value) => ({ label: "key secret", value }))];
    expect(describeLeaks(scanForLeaks(values, run))).toBe("");
  });

  it("fails per fail-on: policy and previous-in-use, naming the keys", async () => {
    const run = await world.run({ mode: "check", "fail-on": "policy,previous-in-use" });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain("breaking their project's policy: policy-api/live/legacy; previous secret still in use: policy-api/live/rotated.");
  });
});
