import { RE2JS } from "re2js";

/** The fields of GitHub's custom-pattern form that the Keyward patterns fill in. */
export interface GithubCustomPattern {
  readonly name: string;
  readonly secretFormat: string;
  readonly beforeSecret: string;
  readonly afterSecret: string;
}

/**
 * What GitHub reports for a custom pattern in one text, approximated with an RE2 engine: the
 * secret format between the before and after expressions. The search resumes right after each
 * secret, so the character that ends one secret can also begin the next, as GitHub's context
 * matching allows. RE2 refuses lookaround as Hyperscan does; Hyperscan-only constructs are not
 * used by these patterns.
 */
export function matchGithubCustomPattern(pattern: GithubCustomPattern, text: string): string[] {
  const matcher = RE2JS.compile(`(?:${pattern.beforeSecret})(${pattern.secretFormat})(?:${pattern.afterSecret})`).matcher(text);
  const secrets: string[] = [];
  let from = 0;
  while (from <= text.length && matcher.find(from)) {
    secrets.push(matcher.group(1) ?? "");
    from = matcher.end(1);
  }
  return secrets;
}
