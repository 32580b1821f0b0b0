import { readFile } from "node:fs/promises";
import { type Tokens, lexer } from "marked";
import { describe, expect, it } from "vitest";
import { type GithubCustomPattern, matchGithubCustomPattern } from "./github-custom-pattern-matcher";
import { buildSecretFixtures } from "./secret-fixtures";

/** Reads each `## name` section's "Secret format:", "Before secret:", "After secret:" code blocks. */
function readPatterns(markdown: string): GithubCustomPattern[] {
  const sections: { name: string; fields: Map<string, string> }[] = [];
  let label = "";
  for (const token of lexer(markdown)) {
    if (token.type === "heading" && (token as Tokens.Heading).depth === 2) {
      sections.push({ name: (token as Tokens.Heading).text, fields: new Map() });
    } else if (token.type === "paragraph") {
      label = (token as Tokens.Paragraph).text.trim();
    } else if (token.type === "code" && sections.length > 0) {
      sections.at(-1)?.fields.set(label, (token as Tokens.Code).text.trim());
    }
  }
  return sections.map(({ name, fields }) => ({
    name,
    secretFormat: fields.get("Secret format:") ?? "",
    beforeSecret: fields.get("Before secret:") ?? "",
    afterSecret: fields.get("After secret:") ?? "",
  }));
}

const patterns = readPatterns(await readFile(new URL("../github-custom-pattern.md", import.meta.url), "utf8"));
const fixtures = buildSecretFixtures();
const scan = (text: string) => patterns.flatMap((pattern) => matchGithubCustomPattern(pattern, text));

describe("scanners/github-custom-pattern.md", () => {
  it("defines a pattern per kind of Keyward secret, every field filled in", () => {
    expect(patterns.map((pattern) => pattern.name)).toEqual(["Keyward API key", "Keyward management token"]);
    for (const pattern of patterns) {
      expect(pattern.secretFormat).not.toBe("");
      expect(pattern.beforeSecret).not.toBe("");
      expect(pattern.afterSecret).not.toBe("");
      // Hyperscan has no lookaround: keep every field free of it.
      expect(`${pattern.secretFormat}${pattern.beforeSecret}${pattern.afterSecret}`).not.toMatch(/\(\?<?[=!]/);
    }
  });

  it("finds every real secret in every fixture file, and of the near-misses only those with a bad checksum", () => {
    for (const [file, content] of Object.entries(fixtures.files)) {
      const planted = fixtures.secrets.filter((entry) => entry.file === file).map(({ secret }) => secret);
      const lookalikes = fixtures.checksumMisses.filter((secret) => content.includes(secret));
      expect(scan(content).sort(), file).toEqual([...planted, ...lookalikes].sort());
    }
  });

  it("finds secrets at the very start and end of a file and two separated by one character", () => {
    const [first, second] = fixtures.secrets.map(({ secret }) => secret);
    expect(scan(`${first},${second}`)).toEqual([first, second]);
  });

  it("reports none of the near-misses of the wrong shape, nor any part of them", () => {
    for (const miss of fixtures.shapeMisses) expect(scan(` ${miss} `), miss.slice(0, 8)).toEqual([]);
  });
});
