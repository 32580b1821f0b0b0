import { BadRequestError, ConnectionError, NotFoundError } from "@keyward/client";
import { describe, expect, it } from "vitest";
import { requestFailure, unlessNotFound } from "./request-failure";

describe("requestFailure", () => {
  it("says what was being done, the server's message, code and request id", () => {
    const error = new ConnectionError({ code: "CONNECTION_FAILED", message: "connect ECONNREFUSED 127.0.0.1:1" });
    expect(requestFailure("create key \"ci\"", error).diagnostics).toEqual([
      { severity: "error", summary: 'Could not create key "ci"', detail: "connect ECONNREFUSED 127.0.0.1:1 [CONNECTION_FAILED]" },
    ]);
  });

  it("points validation issues of a 400 at the attributes they concern", () => {
    const error = new BadRequestError({
      code: "BAD_REQUEST",
      status: 400,
      requestId: "req_1",
      message: "invalid request",
      details: [
        { field: "body.scopes[1]", message: "must exist in the project's catalog" },
        { field: "body.rotation.every", message: "must be a duration" },
        { field: "query.limit", message: "too big" },
      ],
    });
    const diagnostics = requestFailure("update key key_1", error).diagnostics;
    expect(diagnostics[0]?.detail).toBe("invalid request [BAD_REQUEST] (request req_1)");
    expect(diagnostics.slice(1).map((diagnostic) => diagnostic.attribute)).toEqual([
      ["scopes", 1],
      ["rotation", "every"],
    ]);
  });

  it("answers undefined for a 404 and rethrows anything else", async () => {
    expect(await unlessNotFound(() => Promise.reject(new NotFoundError({ code: "NOT_FOUND", message: "no" })))).toBeUndefined();
    await expect(unlessNotFound(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  });
});
