import { DURATION_EXPECTED, parseDuration, Secret } from "@keyward/contract";
import { InputError } from "./action-error";
import { type KeySelector, parseKeySelectors } from "./key-selector";
import { parseTargets, type Target } from "./target";

export const modes = ["rotate", "check", "review"] as const;
export type Mode = (typeof modes)[number];

export const checkPolicies = ["overdue", "expiring", "policy", "previous-in-use"] as const;
export const reviewPolicies = ["policy", "scope-widening", "trust-widening", "destination-added", "live-without-rotation", "live-key-destroyed", "expiry-removed"] as const;
export type CheckPolicy = (typeof checkPolicies)[number];
export type ReviewPolicy = (typeof reviewPolicies)[number];

/** Every input of action.yml and the runner variables the action uses, read once and checked. */
export interface Settings {
  readonly mode: Mode;
  readonly keywardUrl: URL | undefined;
  /** Absent in rotate and check mode when the action exchanges the job's OIDC ID token instead. */
  readonly keywardToken: Secret | undefined;
  /** The `aud` of the OIDC ID token requested when no keyward-token is given; default keyward-url as written. */
  readonly audience: string | undefined;
  readonly githubToken: Secret | undefined;
  /** `GITHUB_API_URL`: github.com, a GitHub Enterprise server, or an emulator in tests. */
  readonly githubApiUrl: string;
  /** `GITHUB_REPOSITORY`, the default target repository. */
  readonly repository: string | undefined;
  readonly eventName: string | undefined;
  /** `GITHUB_EVENT_PATH`, the webhook payload; review mode reads the pull request number there. */
  readonly eventPath: string | undefined;
  readonly targets: readonly Target[];
  /** Rotate mode: keys rotated into their declared destinations (SPEC §13); `targets` adds to them. */
  readonly keys: readonly KeySelector[];
  readonly onlyDue: boolean;
  /** Overrides each key's grace period when set. */
  readonly gracePeriod: string | undefined;
  readonly dryRun: boolean;
  readonly expiringWithinDays: number;
  readonly failOn: readonly (CheckPolicy | ReviewPolicy)[];
  /** Review mode: the text of `terraform show -json <planfile>`. */
  readonly planJson: string | undefined;
  readonly comment: boolean;
}

/** Reads one input by its action.yml name; `""` when unset. `core.getInput` at the edge. */
export type InputSource = (name: string) => string;

const TRUE = ["true", "True", "TRUE"];
const FALSE = ["false", "False", "FALSE"];

/**
 * Reads and checks every input before the action does anything else: a mistake fails the step
 * with a message that names the input, quotes the value and shows the expected form, and no
 * network call has been made. Token values are never quoted.
 */
export function readSettings(input: InputSource, env: NodeJS.ProcessEnv): Settings {
  const mode = readMode(input("mode"));
  const eventName = env.GITHUB_EVENT_NAME || undefined;
  // A pull request can run code from its author; rotating there would hand them fresh secrets.
  if (mode === "rotate" && eventName?.startsWith("pull_request")) {
    throw new InputError("mode", `'rotate' refuses to run on '${eventName}' events. Run rotation on schedule, workflow_dispatch or push, and use 'review' in pull requests`);
  }
  const needsKeyward = mode !== "review";
  const repository = env.GITHUB_REPOSITORY || undefined;
  const targetsText = input("targets");
  const keys = mode === "rotate" ? parseKeySelectors(input("keys")) : [];
  const keywardToken = readToken("keyward-token", input("keyward-token"), false, "a Keyward management token (kwm_…) with keys:read and keys:rotate");
  return {
    mode,
    keywardUrl: needsKeyward ? readUrl("keyward-url", input("keyward-url")) : undefined,
    keywardToken,
    audience: needsKeyward && !keywardToken ? readAudience(input("audience"), input("keyward-url")) : undefined,
    githubToken: readToken("github-token", input("github-token"), mode === "rotate", "a PAT or GitHub App token with Secrets write"),
    githubApiUrl: readUrl("GITHUB_API_URL", env.GITHUB_API_URL || "https://api.github.com").toString().replace(/\/$/, ""),
    repository,
    eventName,
    eventPath: env.GITHUB_EVENT_PATH || undefined,
    targets: readTargets(mode, targetsText, repository, keys.length > 0),
    keys,
    onlyDue: readBoolean("only-due", input("only-due"), false),
    gracePeriod: readGracePeriod(input("grace-period")),
    dryRun: readBoolean("dry-run", input("dry-run"), false),
    expiringWithinDays: readDays("expiring-within", input("expiring-within"), 14),
    failOn: readFailOn(mode, input("fail-on")),
    planJson: mode === "review" ? readRequired("plan-json", input("plan-json"), "the output of terraform show -json <planfile>") : undefined,
    comment: readBoolean("comment", input("comment"), true),
  };
}

function readMode(text: string): Mode {
  const mode = text.trim() || "rotate";
  if (!(modes as readonly string[]).includes(mode)) throw new InputError("mode", `'${mode}' is not a mode. Expected one of ${modes.join(", ")}`);
  return mode as Mode;
}

function readTargets(mode: Mode, text: string, repository: string | undefined, keysSelected: boolean): readonly Target[] {
  if (mode === "review") return [];
  if (text.trim() === "") {
    if (mode === "check" || keysSelected) return [];
    throw new InputError(
      "targets",
      "is empty and so is 'keys'. Rotate mode needs 'keys' (keys rotated into their declared destinations), such as\n  - billing-api/live/*\nor 'targets', a YAML list such as\n  - key: billing-api/live/ci-deployer\n    secret: BILLING_API_KEY",
    );
  }
  return parseTargets(text, repository);
}

function readUrl(name: string, text: string): URL {
  const value = text.trim();
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new InputError(name, `'${value}' is not an http or https URL such as https://keyward.example.com`);
  }
  return url;
}

function readToken(name: string, text: string, required: boolean, expected: string): Secret | undefined {
  const value = text.trim();
  if (value === "") {
    if (required) throw new InputError(name, `is empty. Expected ${expected}`);
    return undefined;
  }
  return new Secret(value);
}

function readAudience(text: string, keywardUrl: string): string {
  const audience = text.trim() || keywardUrl.trim();
  if (audience.length > 512 || /\s/.test(audience)) throw new InputError("audience", `'${audience}' is not an audience. Expected a URL or name of at most 512 characters with no spaces`);
  return audience;
}

function readRequired(name: string, text: string, expected: string): string {
  if (text.trim() === "") throw new InputError(name, `is empty. Expected ${expected}`);
  return text;
}

function readBoolean(name: string, text: string, fallback: boolean): boolean {
  const value = text.trim();
  if (value === "") return fallback;
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new InputError(name, `'${value}' is not a boolean. Expected true or false`);
}

function readGracePeriod(text: string): string | undefined {
  const value = text.trim();
  if (value === "") return undefined;
  if (parseDuration(value) === undefined) throw new InputError("grace-period", `'${value}' is not ${DURATION_EXPECTED}`);
  return value;
}

function readDays(name: string, text: string, fallback: number): number {
  const value = text.trim();
  if (value === "") return fallback;
  if (!/^\d{1,4}$/.test(value)) throw new InputError(name, `'${value}' is not a whole number of days from 0 to 9999`);
  return Number(value);
}

function readFailOn(mode: Mode, text: string): readonly (CheckPolicy | ReviewPolicy)[] {
  const allowed: readonly string[] = mode === "review" ? reviewPolicies : checkPolicies;
  const policies = text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  const unknown = policies.find((policy) => !allowed.includes(policy));
  if (unknown !== undefined) {
    throw new InputError("fail-on", `'${unknown}' is not a ${mode} policy. Expected a comma-separated list of ${allowed.join(", ")}`);
  }
  return [...new Set(policies)] as (CheckPolicy | ReviewPolicy)[];
}
