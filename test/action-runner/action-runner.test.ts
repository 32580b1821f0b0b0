import { describe, expect, it } from "vitest";
import { inputVariable, parseFileCommand } from "./action-runner";

describe("runner harness", () => {
  it("names input variables as the runner does: upper-case, spaces to underscores, hyphens kept", () => {
    expect(inputVariable("only-due")).toBe("INPUT_ONLY-DUE");
    expect(inputVariable("my input")).toBe("INPUT_MY_INPUT");
  });

  it("reads GITHUB_OUTPUT heredoc blocks and plain assignments", () => {
    const text = ["rotated<<ghadelimiter_1", "[", "  1", "]", "ghadelimiter_1", "plain=value=with=equals", ""].join("\n");
    expect(parseFileCommand(text)).toEqual({ rotated: "[\n  1\n]", plain: "value=with=equals" });
  });
});
