import { Keyward } from "@keyward/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StartedKeyward, startKeyward } from "../../packages/server/src/index";
import { keyLifecycle } from "./key-lifecycle";

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
});
