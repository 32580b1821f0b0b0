import { readFile } from "node:fs/promises";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { type GitleaksRule, matchGitleaksRule } from "./gitleaks-rule-matcher";
import { buildSecretFixtures } from "./secret-fixtures";

const config = parse(await readFile(new URL("../gitleaks.toml", import.meta.url), "utf8")) as unknown as {
  extend?: { useDefault?: boolean };
  rules: (GitleaksRule & Record<string, unknown>)[];
};
/** gitleaks v8 ignores an unknown key silently, so a misspelt `secretgroup` would go unnoticed. */
const ruleKeys = ["id", "description", "regex", "secretGroup", "entropy", "keywords", "tags", "path", "allowlists"];
const fixtures = buildSecretFixtures();
const scan = (text: string) => config.rules.flatMap((rule) => matchGitleaksRule(rule, text));

describe("scanners/gitleaks.toml", () => {
  it("keeps gitleaks' default rules and adds one rule per kind of Keyward secret", () => {
    expect(config.extend?.useDefault).toBe(true);
    expect(config.rules.map((rule) => rule.id)).toEqual(["keyward-api-key", "keyward-management-token"]);
    for (const rule of config.rules) {
      expect(rule.keywords?.length).toBeGreaterThan(0);
      expect(Object.keys(rule).filter((key) => !ruleKeys.includes(key))).toEqual([]);
    }
  });

  it("finds every real secret in every fixture file, and of the near-misses only those with a bad checksum", () => {
    for (const [file, content] of Object.entries(fixtures.files)) {
      const planted = fixtures.secrets.filter((entry) => entry.file === file).map(({ secret }) => secret);
      // A regex cannot compute a CRC32: the right shape with a wrong checksum still alerts here.
      const lookalikes = fixtures.checksumMisses.filter((secret) => content.includes(secret));
      expect(scan(content).sort(), file).toEqual([...planted, ...lookalikes].sort());
    }
  });

  it("reports none of the near-misses of the wrong shape, nor any part of them", () => {
    for (const miss of fixtures.shapeMisses) expect(scan(` ${miss} `), miss.slice(0, 8)).toEqual([]);
  });

  it("drops a low-entropy placeholder of the right shape", () => {
    expect(scan(`KEY=kw_live_${"0".repeat(49)}\nTOKEN=kwm_${"ab".repeat(24)}a`)).toEqual([]);
  });
});
