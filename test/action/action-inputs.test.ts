import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAction } from "../action-runner/action-runner";
import { GitHubEmulator } from "../github-emulator/github-emulator";
import { describeLeaks, scanForLeaks } from "../leak-scanner/leak-scanner";

// Issue 5 acceptance 6: bad inputs fail before any network call, with a message naming the input.
// The key service URL points at the emulator too, which records every request whatever its path,
// so "no request at all" covers both services.

let github: GitHubEmulator;
const keywardToken = "kwm_live_InputsTestTokenValue0123456789abcdefghijkXYZ12";
const githubToken = "github_pat_InputsTestToken_0123456789";

beforeAll(async () => {
  github = await GitHubEmulator.start();
});

afterAll(async () => {
  await github.stop();
});

function inputs(change: Record<string, string>): Record<string, string> {
  return {
    "keyward-url": github.url,
    "keyward-token": keywardToken,
    "github-token": githubToken,
    targets: "- key: billing-api/live/ci-deployer\n  secret: BILLING_API_KEY\n",
    ...change,
  };
}

describe("the action refuses bad inputs before any network call", () => {
  it.each([
    ["unknown mode", { mode: "rotat" }, "Invalid input 'mode': 'rotat' is not a mode"],
    ["malformed targets YAML", { targets: "- key: [billing-api/live/x\n  secret: A" }, "Invalid input 'targets': not valid YAML"],
    ["secret name GITHUB_X", { targets: "- key: billing-api/live/x\n  secret: GITHUB_X" }, "Invalid input 'targets': targets[0].secret 'GITHUB_X' starts with GITHUB_"],
    ["secret name 1ABC", { targets: "- key: billing-api/live/x\n  secret: 1ABC" }, "Invalid input 'targets': targets[0].secret '1ABC' is not a GitHub secret name"],
    ["unknown target field", { targets: "- key: billing-api/live/x\n  secret: A\n  environmnet: prod" }, "Invalid input 'targets': targets[0] has unknown field 'environmnet'"],
    ["malformed key reference", { targets: "- key: billing-api/x\n  secret: A" }, "Invalid input 'targets': targets[0].key: 'billing-api/x' is not a key id"],
    [
      "visibility selected without repositories",
      { targets: "- key: billing-api/live/x\n  secret: A\n  org: acme\n  visibility: selected" },
      "Invalid input 'targets': targets[0].visibility is 'selected' but 'selected-repositories' lists no repository",
    ],
  ])("%s", async (_case, change, message) => {
    const before = github.requests.length;
    const run = await runAction({ inputs: inputs(change), githubApiUrl: github.url });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`::error::${message}`);
    expect(github.requests.length - before, "requests made").toBe(0);
    expect(describeLeaks(scanForLeaks([{ label: "keyward-token", value: keywardToken }, { label: "github-token", value: githubToken }], run))).toBe("");
  });

  it("refuses rotate on a pull_request_target event", async () => {
    const before = github.requests.length;
    const run = await runAction({ inputs: inputs({}), githubApiUrl: github.url, eventName: "pull_request_target", event: { number: 7 } });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain("::error::Invalid input 'mode': 'rotate' refuses to run on 'pull_request_target' events");
    expect(github.requests.length - before).toBe(0);
  });

  it("masks both tokens before printing anything", async () => {
    const run = await runAction({ inputs: inputs({ mode: "rotat" }), githubApiUrl: github.url });
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe(`::add-mask::${keywardToken}`);
    expect(lines[1]).toBe(`::add-mask::${githubToken}`);
    expect(run.argv.join(" ")).not.toContain(keywardToken);
  });
});
