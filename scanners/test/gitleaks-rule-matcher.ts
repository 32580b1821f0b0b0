import { RE2JS } from "re2js";

/** One `[[rules]]` entry of a gitleaks v8 config, the fields the Keyward rules use. */
export interface GitleaksRule {
  readonly id: string;
  readonly regex: string;
  readonly secretGroup?: number;
  readonly entropy?: number;
  readonly keywords?: readonly string[];
}

/** Shannon entropy in bits per character, as gitleaks computes it over the secret group. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/**
 * What gitleaks reports for one rule in one text, without the gitleaks binary (it is not packaged
 * for this machine's distribution): the keyword prefilter (case-insensitive), every
 * non-overlapping match of the regex compiled by an RE2 engine (the syntax Go's regexp accepts,
 * so lookbehind fails to compile here as it would there), the secret group, and the entropy floor
 * (gitleaks drops a secret whose entropy is at or below it).
 */
export function matchGitleaksRule(rule: GitleaksRule, text: string): string[] {
  const lowered = text.toLowerCase();
  if (rule.keywords && !rule.keywords.some((keyword) => lowered.includes(keyword.toLowerCase()))) return [];
  const matcher = RE2JS.compile(rule.regex).matcher(text);
  const secrets: string[] = [];
  while (matcher.find()) {
    const secret = matcher.group(rule.secretGroup ?? 0) ?? "";
    if (rule.entropy !== undefined && shannonEntropy(secret) <= rule.entropy) continue;
    secrets.push(secret);
  }
  return secrets;
}
