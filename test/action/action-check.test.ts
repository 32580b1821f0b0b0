import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeLeaks, scanForLeaks } from "../leak-scanner/leak-scanner";
import { DAY_MS, RotationWorld } from "./rotation-world";

// Check mode against a real Keyward server: keys overdue for rotation or expiring within N days.

let world: RotationWorld;
let overdueId: string;
let expiringId: string;

beforeAll(async () => {
  world = await RotationWorld.open();
  await world.project("check-api");
  overdueId = (await world.key("check-api", "overdue", { every: "1d", grace_period: "1h" })).key.id;
  await world.key("check-api", "healthy", { every: "90d", grace_period: "1h" });
  const expiring = await world.admin.keys.create({
    project: "check-api",
    environment: "live",
    name: "expiring",
    scopes: ["deploy:write"],
    rotation: { every: "90d", grace_period: "1h" },
    expires_at: new Date(Date.now() + 20 * DAY_MS).toISOString(),
  });
  expiringId = expiring.key.id;
  // The service's clock moves two days on: the daily key is now overdue; the expiring key expires
  // in 20 days by the machine's clock, which the action uses.
  world.clock.advance(2 * DAY_MS);
});

afterAll(async () => {
  await world?.close();
});

describe("check mode", () => {
  it("reports overdue and expiring keys in outputs and the job summary, and passes without fail-on", async () => {
    const run = await world.run({ mode: "check", "expiring-within": "30" });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.overdue ?? "").map((key: { id: string }) => key.id)).toEqual([overdueId]);
    expect(JSON.parse(run.outputs.expiring ?? "").map((key: { id: string }) => key.id)).toEqual([expiringId]);
    expect(run.files.GITHUB_STEP_SUMMARY).toContain("3 key(s) checked; 2 need attention");
    expect(run.files.GITHUB_STEP_SUMMARY).toMatch(/\| check-api\/live\/overdue \| key_\w+ \| active \| .* \| never \| overdue for rotation \|/);
    expect(describeLeaks(scanForLeaks([{ label: "keyward-token", value: world.actionToken }], run))).toBe("");
  });

  it("does not count a key expiring after the window", async () => {
    const run = await world.run({ mode: "check", "expiring-within": "7", "fail-on": "expiring" });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.expiring ?? "")).toEqual([]);
  });

  it("fails per fail-on, naming the keys", async () => {
    const run = await world.run({ mode: "check", "fail-on": "overdue,expiring", "expiring-within": "30" });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      "::error::Key check failed (fail-on: overdue,expiring). overdue for rotation: check-api/live/overdue; expiring within 30 day(s): check-api/live/expiring.",
    );
  });

  it("checks only the keys named in targets when given", async () => {
    const run = await world.run({ mode: "check", targets: "- key: check-api/live/healthy\n  secret: UNUSED", "fail-on": "overdue" });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.files.GITHUB_STEP_SUMMARY).toContain("1 key(s) checked; 0 need attention");
  });
});
