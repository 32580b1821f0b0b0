import { Keyward } from "@keyward/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StartedKeyward, startKeyward } from "../../packages/server/src/index";
import { describeFailure, keyLifecycle } from "./key-lifecycle";

describe("examples/sdk/key-lifecycle", () => {
  let server: StartedKeyward;
  beforeAll(async () => {
    server = await startKeyward();
  });
  afterAll(() => server?.close());

  it("runs against a real key service with the outcomes its comments promise", async () => {
    const report = await keyLifecycle(new Keyward({ url: server.url, token: server.rootToken }));
    expect(report.steps).toEqual([
      { step: "issued", code: "VALID" },
      { step: "asks for an undeclared scope", code: "INSUFFICIENT_SCOPE" },
      { step: "previous secret during the grace period", code: "VALID" },
      { step: "new secret", code: "VALID" },
      { step: "previous secret after revocation", code: "REVOKED" },
      { step: "new secret after revocation", code: "REVOKED" },
    ]);
  });

  it("runs again on the same service: the project an earlier run made is kept, not a CONFLICT", async () => {
    const keyward = new Keyward({ url: server.url, token: server.rootToken });
    await keyLifecycle(keyward, "billing-sdk-rerun");
    const again = await keyLifecycle(keyward, "billing-sdk-rerun");
    expect(again.steps.map((step) => step.code)).toEqual(["VALID", "INSUFFICIENT_SCOPE", "VALID", "VALID", "REVOKED", "REVOKED"]);
  });

  it("reports a failure as one line naming the code and request, not a stack trace", async () => {
    const failure = await keyLifecycle(new Keyward({ url: server.url, token: "kwm_not-a-token" })).catch((error: unknown) => error);
    const line = describeFailure(failure);
    expect(line).toMatch(/^key-lifecycle: .+ \(UNAUTHORIZED, request \S+\)$/);
    expect(line).not.toContain("\n");
  });
});
