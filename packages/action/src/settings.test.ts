import { describe, expect, it } from "vitest";
import { readSettings } from "./settings";

const env = { GITHUB_REPOSITORY: "acme/api", GITHUB_EVENT_NAME: "schedule", GITHUB_API_URL: "http://127.0.0.1:1/" };
const base: Record<string, string> = {
  "keyward-url": "http://127.0.0.1:8787",
  "keyward-token": "kwm_test_token",
  "github-token": "ghp_test",
  targets: "- key: billing-api/live/ci-deployer\n  secret: billing_api_key\n",
};

function settings(inputs: Record<string, string>, environment: Record<string, string> = env) {
  return readSettings((name) => inputs[name] ?? "", environment);
}

describe("readSettings", () => {
  it("reads every input once into typed settings with defaults", () => {
    const read = settings(base);
    expect(read).toMatchObject({
      mode: "rotate",
      githubApiUrl: "http://127.0.0.1:1",
      repository: "acme/api",
      onlyDue: false,
      dryRun: false,
      expiringWithinDays: 14,
      failOn: [],
      comment: true,
    });
    expect(read.targets).toEqual([
      { key: { kind: "name", project: "billing-api", environment: "live", name: "ci-deployer" }, secret: "BILLING_API_KEY", destination: { kind: "repository", repository: "acme/api", app: "actions" } },
    ]);
    expect(read.keywardToken?.reveal()).toBe("kwm_test_token");
    expect(String(read.keywardToken)).not.toContain("kwm_test_token");
    expect(read.audience).toBeUndefined();
  });

  it("without keyward-token asks for an OIDC ID token for the key service URL, or the given audience", () => {
    expect(settings({ ...base, "keyward-token": "", "keyward-url": "https://keyward.example.com" }).audience).toBe("https://keyward.example.com");
    expect(settings({ ...base, "keyward-token": "", audience: "keyward-prod" }).audience).toBe("keyward-prod");
    expect(settings({ ...base, "keyward-token": "" }).keywardToken).toBeUndefined();
  });

  it("reads environment, organization and Dependabot targets", () => {
    const targets = [
      "- key: key_0123456789abcdefghij",
      "  secret: ENV_KEY",
      "  environment: production",
      "- key: billing-api/test/bot",
      "  secret: BOT_KEY",
      "  repository: acme/web",
      "  app: dependabot",
      "- key: billing-api/live/shared",
      "  secret: SHARED",
      "  org: acme",
      "  visibility: selected",
      "  selected-repositories: [api, acme/web]",
    ].join("\n");
    expect(settings({ ...base, targets }).targets.map((target) => target.destination)).toEqual([
      { kind: "environment", repository: "acme/api", environment: "production" },
      { kind: "repository", repository: "acme/web", app: "dependabot" },
      { kind: "organization", org: "acme", app: "actions", visibility: "selected", selectedRepositories: ["acme/api", "acme/web"] },
    ]);
  });

  it.each([
    ["mode", { mode: "rotat" }, "Invalid input 'mode': 'rotat' is not a mode. Expected one of rotate, check, review"],
    ["targets", { targets: "- key: [unclosed" }, "Invalid input 'targets': not valid YAML"],
    ["targets", { targets: "key: a/live/b" }, "Invalid input 'targets': expected a YAML list"],
    ["targets", { targets: "- key: billing-api/live/ci\n  secret: GITHUB_X" }, "targets[0].secret 'GITHUB_X' starts with GITHUB_"],
    ["targets", { targets: "- key: billing-api/live/ci\n  secret: 1ABC" }, "targets[0].secret '1ABC' is not a GitHub secret name"],
    ["targets", { targets: "- key: billing-api/staging/ci\n  secret: A" }, "environment 'staging' in 'billing-api/staging/ci' must be 'test' or 'live'"],
    ["targets", { targets: "- key: ci-deployer\n  secret: A" }, "'ci-deployer' is not a key id (key_ and 20 letters or digits) or project/environment/name"],
    ["targets", { targets: "- key: billing-api/live/ci\n  secret: A\n  kee: x" }, "targets[0] has unknown field 'kee'"],
    ["targets", { targets: "- key: billing-api/live/ci\n  secret: A\n  org: acme\n  visibility: selected" }, "targets[0].visibility is 'selected' but 'selected-repositories' lists no repository"],
    ["targets", { targets: "- key: billing-api/live/ci\n  secret: A\n  org: acme\n  selected-repositories: [api]" }, "needs 'visibility: selected'"],
    ["targets", { targets: "- key: billing-api/live/ci\n  secret: A\n  org: acme\n  visibility: public" }, "targets[0].visibility 'public' is not one of all, private, selected"],
    ["targets", { targets: "- key: billing-api/live/ci\n  secret: A\n  environment: prod\n  app: dependabot" }, "Dependabot has no environment secrets"],
    ["targets", { targets: "- key: a1/live/x\n  secret: A\n- key: a1/live/y\n  secret: a" }, "targets[1] writes A to acme/api, as targets[0] does"],
    ["only-due", { "only-due": "yes" }, "Invalid input 'only-due': 'yes' is not a boolean. Expected true or false"],
    ["grace-period", { "grace-period": "1 day" }, "Invalid input 'grace-period': '1 day' is not a duration such as 90s"],
    ["keyward-url", { "keyward-url": "ftp://x" }, "Invalid input 'keyward-url': 'ftp://x' is not an http or https URL"],
    ["audience", { "keyward-token": "", audience: "two words" }, "Invalid input 'audience': 'two words' is not an audience"],
    ["github-token", { "github-token": " " }, "Invalid input 'github-token': is empty"],
  ])("refuses a bad %s with a message quoting it", (_input, change, message) => {
    expect(() => settings({ ...base, ...change })).toThrow(message);
  });

  it("checks fail-on against the policies of the mode", () => {
    expect(settings({ ...base, mode: "check", "fail-on": "overdue, expiring" }).failOn).toEqual(["overdue", "expiring"]);
    expect(() => settings({ ...base, mode: "check", "fail-on": "overdue,scope-widening" })).toThrow(
      "Invalid input 'fail-on': 'scope-widening' is not a check policy. Expected a comma-separated list of overdue, expiring",
    );
    expect(() => settings({ ...base, mode: "check", "expiring-within": "-3" })).toThrow("'-3' is not a whole number of days");
  });

  it("refuses to rotate on pull request events, and allows check there", () => {
    for (const event of ["pull_request", "pull_request_target", "pull_request_review"]) {
      expect(() => settings(base, { ...env, GITHUB_EVENT_NAME: event })).toThrow(`'rotate' refuses to run on '${event}' events`);
    }
    expect(settings({ ...base, mode: "check" }, { ...env, GITHUB_EVENT_NAME: "pull_request" }).mode).toBe("check");
  });

  it("never quotes a token value in a message", () => {
    const error = (() => {
      try {
        settings({ ...base, "keyward-url": "not a url", "keyward-token": "kwm_visible?" });
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error?.message).toBeDefined();
    expect(error?.message).not.toContain("kwm_visible");
  });
});
