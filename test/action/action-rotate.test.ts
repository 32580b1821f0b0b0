import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionRun } from "../action-runner/action-runner";
import type { SecretLocation } from "../github-emulator/secret-location";
import { describeLeaks, type NamedSecret, scanForLeaks } from "../leak-scanner/leak-scanner";
import { HOUR_MS, RotationWorld } from "./rotation-world";

// Issue 5 acceptance 1-5: the committed bundle, run as the runner runs it with RUNNER_DEBUG=1,
// against a real Keyward server and the GitHub API emulator.

let world: RotationWorld;

beforeAll(async () => {
  world = await RotationWorld.open();
});

afterAll(async () => {
  await world?.close();
});

const repositorySecret: SecretLocation = { kind: "repository", repository: "acme/api" };
const environmentSecret: SecretLocation = { kind: "environment", repository: "acme/api", environment: "production" };
const organizationSecret: SecretLocation = { kind: "organization", org: "acme" };

function tokens(): NamedSecret[] {
  return [
    { label: "keyward-token", value: world.actionToken },
    { label: "github-token", value: world.githubToken },
  ];
}

function expectNoLeaks(run: ActionRun, secrets: NamedSecret[]): void {
  expect(describeLeaks(scanForLeaks([...secrets, ...tokens()], run))).toBe("");
  // Stricter: the action never prints a secret at all, masked or not (only ::add-mask:: carries it).
  expect(describeLeaks(scanForLeaks([...secrets, ...tokens()], run, { relyOnMasking: false }))).toBe("");
  expect(run.argv.join(" ")).not.toMatch(/kw_|kwm_|github_pat/);
}

describe("rotate mode", () => {
  it("rotates repository, environment and selected-org targets; new secrets verify, old ones until the grace period ends, and nothing leaks", async () => {
    await world.project("billing-api");
    const repo = await world.key("billing-api", "repo-key");
    const env = await world.key("billing-api", "env-key");
    const org = await world.key("billing-api", "org-key");
    const targets = [
      `- key: billing-api/live/repo-key`,
      `  secret: REPO_KEY`,
      `- key: ${env.key.id}`,
      `  secret: env_key`,
      `  environment: production`,
      `- key: billing-api/live/org-key`,
      `  secret: ORG_KEY`,
      `  org: acme`,
      `  visibility: selected`,
      `  selected-repositories: [api, acme/web]`,
    ].join("\n");

    const run = await world.run({ targets });

    expect(run.exitCode, run.stdout).toBe(0);
    const written = [
      world.github.secretValue(repositorySecret, "REPO_KEY"),
      world.github.secretValue(environmentSecret, "ENV_KEY"),
      world.github.secretValue(organizationSecret, "ORG_KEY"),
    ];
    expect(written.every((value) => value?.startsWith("kw_live_"))).toBe(true);
    for (const value of written) expect(await world.verify(value as string)).toBe("VALID");
    for (const old of [repo, env, org]) expect(await world.verify(old.secret)).toBe("VALID");
    expect(world.github.secret(organizationSecret, "ORG_KEY")).toMatchObject({ visibility: "selected", selectedRepositoryIds: [100_000, 100_001] });

    expect(JSON.parse(run.outputs.rotated ?? "[]")).toEqual([
      { id: repo.key.id, project: "billing-api", environment: "live", name: "repo-key", version: 2, targets: [{ secret: "REPO_KEY", destination: "acme/api" }] },
      { id: env.key.id, project: "billing-api", environment: "live", name: "env-key", version: 2, targets: [{ secret: "ENV_KEY", destination: "acme/api (environment production)" }] },
      { id: org.key.id, project: "billing-api", environment: "live", name: "org-key", version: 2, targets: [{ secret: "ORG_KEY", destination: "org acme" }] },
    ]);
    expect(run.files.GITHUB_STEP_SUMMARY).toContain("| billing-api/live/env-key |");

    // Acceptance 2: no form of any new or old secret, nor of either token, anywhere.
    expectNoLeaks(run, [
      ...written.map((value, index) => ({ label: `new secret ${index}`, value: value as string })),
      { label: "old repo-key", value: repo.secret },
      { label: "old env-key", value: env.secret },
      { label: "old org-key", value: org.secret },
    ]);
    // The new secrets were masked before anything else was printed about them.
    for (const value of written) expect(run.stdout).toContain(`::add-mask::${value}`);

    world.clock.advance(25 * HOUR_MS);
    for (const old of [repo, env, org]) expect(await world.verify(old.secret)).toBe("EXPIRED");
    for (const value of written) expect(await world.verify(value as string)).toBe("VALID");
  });

  it("rolls back a key whose write fails, rotates the others, and fails naming what failed and what was rolled back", async () => {
    await world.project("rollback-api");
    const healthy = await world.key("rollback-api", "healthy");
    const broken = await world.key("rollback-api", "broken");
    const targets = [
      "- key: rollback-api/live/broken",
      "  secret: BROKEN_FIRST",
      "  repository: acme/web",
      "- key: rollback-api/live/broken",
      "  secret: BROKEN_SECOND",
      "  repository: acme/web",
      "- key: rollback-api/live/healthy",
      "  secret: HEALTHY",
      "  repository: acme/web",
    ].join("\n");
    world.github.failNext("put-secret", { status: 422, pathIncludes: "/BROKEN_SECOND", message: "Validation Failed" });

    const run = await world.run({ targets });

    expect(run.exitCode).toBe(1);
    const web: SecretLocation = { kind: "repository", repository: "acme/web" };
    // The first target got the new secret before the second failed: it is now revoked.
    const revoked = world.github.secretValue(web, "BROKEN_FIRST") as string;
    expect(await world.verify(revoked)).toBe("REVOKED");
    expect(await world.verify(broken.secret)).toBe("VALID");
    expect((await world.admin.keys.get(broken.key.id)).version).toBe(1);
    const rotatedHealthy = world.github.secretValue(web, "HEALTHY") as string;
    expect(await world.verify(rotatedHealthy)).toBe("VALID");
    expect(JSON.parse(run.outputs.rotated ?? "[]").map((key: { name: string }) => key.name)).toEqual(["healthy"]);

    const error = run.stdout.split("\n").find((line) => line.startsWith("::error::")) ?? "";
    expect(error).toContain("Rotation failed for 1 key(s); 1 other key(s) were rotated.");
    expect(error).toContain(`rollback-api/live/broken (${broken.key.id}): could not write BROKEN_SECOND in acme/web (GitHub answered 422`);
    expect(error).toContain("rolled back, the previous secret keeps working");
    expect(error).toContain("BROKEN_FIRST in acme/web already received the new secret");

    // The old secret was restored with no expiry: it outlives the grace period.
    world.clock.advance(25 * HOUR_MS);
    expect(await world.verify(broken.secret)).toBe("VALID");
    expectNoLeaks(run, [
      { label: "revoked new secret", value: revoked },
      { label: "new healthy", value: rotatedHealthy },
      { label: "old broken", value: broken.secret },
      { label: "old healthy", value: healthy.secret },
    ]);
  });

  it("fails before rotating anything when the GitHub token cannot write one target", async () => {
    await world.project("denied-api");
    const first = await world.key("denied-api", "first");
    const second = await world.key("denied-api", "second");
    const limited = "github_pat_11LimitedToken_noEnvironments0001";
    world.github.addToken(limited, { repositories: { "acme/api": ["metadata", "secrets"] } });
    const putsBefore = world.github.requestsTo("put-secret").length;

    const run = await world.run(
      { targets: "- key: denied-api/live/first\n  secret: FIRST\n- key: denied-api/live/second\n  secret: SECOND\n  environment: production" },
      { githubToken: limited },
    );

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain("::error::The GitHub token cannot write secrets to every target; nothing was rotated.");
    expect(run.stdout).toContain("acme/api (environment production): GitHub answered 403");
    expect(world.github.requestsTo("put-secret").length).toBe(putsBefore);
    expect([await world.version(first.key.id), await world.version(second.key.id)]).toEqual([1, 1]);
    expect(await world.verify(first.secret)).toBe("VALID");
    expectNoLeaks(run, [
      { label: "old first", value: first.secret },
      { label: "old second", value: second.secret },
      { label: "limited github-token", value: limited },
    ]);
  });

  it("fails before any GitHub call when a key does not exist", async () => {
    const before = world.github.requests.length;
    const run = await world.run({ targets: "- key: billing-api/live/no-such-key\n  secret: NOPE" });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain("::error::Key 'billing-api/live/no-such-key' was not found in Keyward.");
    expect(world.github.requests.length).toBe(before);
    expectNoLeaks(run, []);
  });

  it("fails with the key service's answer, and no token, when keyward-token is refused", async () => {
    const wrong = "kwm_live_WrongTokenValue0123456789abcdefghijklmnopqrstu";
    const run = await world.run({ targets: "- key: billing-api/live/repo-key\n  secret: REPO_KEY", "keyward-token": wrong });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::error::HTTP 401: /);
    expectNoLeaks(run, [{ label: "wrong keyward-token", value: wrong }]);
  });

  it("with only-due rotates only keys whose rotation is due; dry-run rotates nothing", async () => {
    await world.project("schedule-api");
    const daily = await world.key("schedule-api", "daily", { every: "1d", grace_period: "1h" });
    const monthly = await world.key("schedule-api", "monthly", { every: "30d", grace_period: "1h" });
    world.clock.advance(2 * 24 * HOUR_MS);
    const targets = "- key: schedule-api/live/daily\n  secret: DAILY\n  repository: acme/web\n- key: schedule-api/live/monthly\n  secret: MONTHLY\n  repository: acme/web";
    const putsBefore = world.github.requestsTo("put-secret").length;

    const dry = await world.run({ targets, "dry-run": "true", "only-due": "true" });
    expect(dry.exitCode, dry.stdout).toBe(0);
    expect(world.github.requestsTo("put-secret").length).toBe(putsBefore);
    expect([await world.version(daily.key.id), await world.version(monthly.key.id)]).toEqual([1, 1]);
    expect(JSON.parse(dry.outputs.rotated ?? "")).toEqual([]);
    expect(dry.files.GITHUB_STEP_SUMMARY).toMatch(/schedule-api\/live\/daily .*would rotate \(dry run\)/);
    expect(dry.files.GITHUB_STEP_SUMMARY).toMatch(/schedule-api\/live\/monthly .*not due, skipped/);

    const due = await world.run({ targets, "only-due": "true" });
    expect(due.exitCode, due.stdout).toBe(0);
    expect([await world.version(daily.key.id), await world.version(monthly.key.id)]).toEqual([2, 1]);
    const web: SecretLocation = { kind: "repository", repository: "acme/web" };
    expect(await world.verify(world.github.secretValue(web, "DAILY") as string)).toBe("VALID");
    expect(world.github.secretValue(web, "MONTHLY")).toBeUndefined();
    // The monthly key is not due, but its target was never written: a warning says what to do.
    expect(due.stdout).toContain(
      `::warning::MONTHLY in acme/web does not exist, before version 1 of schedule-api/live/monthly (${monthly.key.id}) was issued. Run without only-due to rotate it into place now.`,
    );
    expect(due.files.GITHUB_STEP_SUMMARY).toMatch(/schedule-api\/live\/monthly .*\| stale \| not due, skipped \|/);

    // An hour later nothing is due; the daily key's target holds its current version, so no warning.
    world.clock.advance(HOUR_MS);
    const later = await world.run({ targets, "only-due": "true" });
    expect(later.exitCode, later.stdout).toBe(0);
    expect(later.stdout).not.toContain("::warning::DAILY");
    expect(later.stdout).toContain("::warning::MONTHLY in acme/web does not exist");
    expectNoLeaks(due, [
      { label: "new daily", value: world.github.secretValue(web, "DAILY") as string },
      { label: "old daily", value: daily.secret },
      { label: "old monthly", value: monthly.secret },
    ]);
  });

  it("honours grace-period over the key's own", async () => {
    await world.project("grace-api");
    const key = await world.key("grace-api", "short", { every: "30d", grace_period: "7d" });
    const run = await world.run({ targets: "- key: grace-api/live/short\n  secret: GRACE\n  repository: acme/web", "grace-period": "1h" });
    expect(run.exitCode, run.stdout).toBe(0);
    world.clock.advance(2 * HOUR_MS);
    expect(await world.verify(key.secret)).toBe("EXPIRED");
  });
});

describe("rotate mode with keys and declared destinations (SPEC §13)", () => {
  it("rotates every due key of ledger-api/live/* into its declared destinations, with no targets; nothing leaks", async () => {
    await world.project("ledger-api");
    const destinations = (name: string) => [
      { type: "github_secret" as const, repository: "acme/api", name: `${name}_KEY` },
      { type: "github_secret" as const, repository: "acme/api", environment: "production", name: `${name}_KEY` },
      { type: "github_org_secret" as const, org: "acme", name: `${name}_KEY`, visibility: "selected" as const, selected_repositories: ["acme/web"] },
    ];
    const created = [];
    for (const name of ["LEDGER_A", "LEDGER_B"]) {
      const key = await world.admin.keys.create({
        project: "ledger-api",
        environment: "live",
        name: name.toLowerCase().replace("_", "-"),
        scopes: ["deploy:write"],
        rotation: { every: "30d", grace_period: "24h" },
        destinations: destinations(name),
      });
      created.push({ name, key: key.key, first: key.secret.reveal() });
    }
    world.clock.advance(31 * 24 * HOUR_MS);

    const run = await world.run({ keys: "[ledger-api/live/*]", "only-due": "true" });

    expect(run.exitCode, run.stdout).toBe(0);
    const secrets: NamedSecret[] = [];
    for (const { name, key, first } of created) {
      const locations: SecretLocation[] = [repositorySecret, environmentSecret, organizationSecret];
      const values = locations.map((location) => world.github.secretValue(location, `${name}_KEY`));
      expect(new Set(values).size).toBe(1);
      expect(values[0]).not.toBe(first);
      expect(await world.verify(values[0]!)).toBe("VALID");
      expect(await world.version(key.id)).toBe(2);
      secrets.push({ label: `new secret of ${name}`, value: values[0]! }, { label: `old secret of ${name}`, value: first });
    }
    expect(JSON.parse(run.outputs.rotated!)).toHaveLength(2);
    expectNoLeaks(run, secrets);
  });

  it("fails naming a selected key that has no destination and no target, rotating nothing", async () => {
    await world.project("bare-api");
    const { key } = await world.key("bare-api", "nowhere");
    const run = await world.run({ keys: "[bare-api/live/*]" });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`bare-api/live/nowhere (${key.id}) has no destinations and no target`);
    expect(await world.version(key.id)).toBe(1);
  });
});
