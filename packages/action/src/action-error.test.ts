import { RequestError } from "@octokit/request-error";
import { describe, expect, it } from "vitest";
import { ActionError, describeError, InputError } from "./action-error";

const secret = "kw_live_NeverPrintMe0123456789abcdefghijklmnopqrstuvwxyz12";

describe("describeError", () => {
  it("keeps an action error's message as written", () => {
    expect(describeError(new InputError("mode", "'x' is not a mode"))).toBe("Invalid input 'mode': 'x' is not a mode");
    expect(describeError(new ActionError("two\nlines"))).toBe("two\nlines");
  });

  it("prints an HTTP client error's status and first message line, never its request or response body", () => {
    const error = new RequestError("Validation Failed", 422, {
      request: { method: "PUT", url: "https://api.github.com/repos/a/b/actions/secrets/X", headers: {}, body: { encrypted_value: secret } },
      response: { status: 422, url: "", headers: {}, data: { message: "Validation Failed", echo: secret } },
    });
    const line = describeError(error);
    expect(line).toBe("HTTP 422: Validation Failed");
    expect(line).not.toContain(secret);
  });

  it("describes a thrown non-Error without printing it", () => {
    expect(describeError({ secret })).toBe("unexpected failure (a non-Error value was thrown)");
  });
});
