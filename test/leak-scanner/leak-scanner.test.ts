import { describe, expect, it } from "vitest";
import { findLeaks, scanForLeaks, secretForms } from "./leak-scanner";
import { RunnerMasker } from "./runner-masker";

const value = "kw_live_4fJ9sQ2mXcV8bN1zL7kP0wR3tY6uH5gE2dA9sF1qW8eZ3x";
const secret = { label: "new secret", value };
// Every escaping differs from the plain text for this one.
const awkward = { label: "awkward secret", value: `pa"ss/wo+rd!'(x)*\\ & <y> ü` };
const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("runner masker", () => {
  it("masks a registered value and its runner-known encodings on later lines only", () => {
    const masker = new RunnerMasker();
    const log = masker.process(
      [`early ${value}`, `::add-mask::${value}`, `late ${value}`, `b64 ${b64(value)}`, `json "${JSON.stringify(value).slice(1, -1)}"`].join("\n"),
    );
    expect(log.split("\n")).toEqual([`early ${value}`, "late ***", "b64 ***", 'json "***"']);
  });

  it("masks each trimmed line of a multi-line value and unescapes the command data", () => {
    const masker = new RunnerMasker();
    const log = masker.process(["::add-mask::first line%0A  second-line  %25", "x second-line  % y"].join("\n"));
    expect(log).toBe("x *** y");
  });

  it("does not mask hex, base64 with a trailing newline, or annotation titles", () => {
    const masker = new RunnerMasker();
    masker.register(value);
    expect(masker.mask(Buffer.from(value).toString("hex"))).toBe(Buffer.from(value).toString("hex"));
    // A length that is not a multiple of 3, so base64(value) is not a prefix of base64(value + "\n").
    const odd = value.slice(0, -1);
    masker.register(odd);
    expect(masker.mask(b64(`${odd}\n`))).toBe(b64(`${odd}\n`));
    expect(masker.process(`::error title=${value}::message ${value}`)).toBe(`##[error]title=${value} message ***`);
  });
});

describe("leak scanner", () => {
  it("finds every encoded form of a secret, with where it is", () => {
    const forms = secretForms(awkward.value);
    for (const form of forms) {
      const leaks = findLeaks([awkward], { "GITHUB_OUTPUT": `line one\nx=${form.text}\n` });
      expect(leaks.map((leak) => [leak.source, leak.line])).toContainEqual(["GITHUB_OUTPUT", 2]);
    }
    expect(forms.map((form) => form.form)).toEqual(
      expect.arrayContaining(["plain", "base64", "base64 with trailing newline", "base64url", "hex", "URL-escaped", "JSON-escaped"]),
    );
  });

  it("finds a secret base64-encoded with text around it at any alignment", () => {
    for (const prefix of ["u:", "us:", "use:"]) {
      const leaks = findLeaks([secret], { stdout: `Authorization: Basic ${b64(`${prefix}${value}`)}` });
      expect(leaks.length, prefix).toBeGreaterThan(0);
    }
  });

  it("reports nothing for masked output and clean files, and each leak otherwise", () => {
    const clean = { stdout: `::add-mask::${value}\nrotated ${value}\n`, stderr: "", files: { GITHUB_STEP_SUMMARY: "| key | version |\n" } };
    expect(scanForLeaks([secret], clean)).toEqual([]);

    const leaky = {
      stdout: `::add-mask::${value}\n${Buffer.from(value).toString("hex")}\n`,
      stderr: `${value}\n`,
      files: { GITHUB_ENV: `KEY=${value}\n` },
    };
    expect(scanForLeaks([secret], leaky).map((leak) => [leak.source, leak.form])).toEqual([
      ["stderr", "plain"],
      ["GITHUB_ENV", "plain"],
      ["stdout", "hex"],
    ]);
  });

  it("without relying on masking, finds a secret the runner would have masked", () => {
    const output = { stdout: `::add-mask::${value}\nrotated ${value}\n`, stderr: "", files: {} };
    expect(scanForLeaks([secret], output)).toEqual([]);
    expect(scanForLeaks([secret], output, { relyOnMasking: false }).map((leak) => [leak.source, leak.line, leak.form])).toEqual([["stdout", 2, "plain"]]);
  });
});
