import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeKeyward, newTokenSecret } from "../../../client/test/fake-keyward";
import { clientCliAgainst } from "../../test/client-cli-run";

const token = newTokenSecret();
let fake: FakeKeyward;

const keyward = clientCliAgainst(() => fake, token);

beforeEach(() => {
  fake = new FakeKeyward();
});
afterEach(async () => {
  await fake.agent.close();
});

describe("keyward projects policy", () => {
  const policy = { project: "billing-api", live: { require_rotation: true, max_rotation_every: "90d", exposure: "revoke" }, test: { exposure: "revoke" } };

  it("sets one environment's rules from flags and prints both environments", async () => {
    fake.script({ status: 200, body: policy });
    const run = await keyward(["projects", "policy", "set", "billing-api", "--environment", "live", "--require-rotation", "--max-rotation-every", "90d"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(fake.requests.map((request) => [request.method, request.path, request.body])).toEqual([
      ["PUT", "/v1/projects/billing-api/policy", { live: { require_rotation: true, max_rotation_every: "90d" } }],
    ]);
    expect(run.stdout).toMatch(/live\s+│ -\s+│ true\s+│ 90d/);
  });

  it("gets the policy as JSON", async () => {
    fake.script({ status: 200, body: policy });
    const run = await keyward(["projects", "policy", "get", "billing-api", "--json"]);
    expect(JSON.parse(run.stdout)).toEqual(policy);
    expect(fake.requests[0]?.path).toBe("/v1/projects/billing-api/policy");
  });

  it("refuses an unknown environment before any request", async () => {
    const run = await keyward(["projects", "policy", "set", "billing-api", "--environment", "prod"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("Invalid --environment 'prod'. Expected live or test.");
    expect(fake.requests).toEqual([]);
  });
});
