import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { checkKeys } from "./check";
import { type GitHubConnection, GitHubSecrets } from "@keyward/github-secrets";
import { connectKeyward } from "./keyward-connection";
import { GitHubIssueComments } from "./review/github-issue-comments";
import { reviewPlan } from "./review/review-plan";
import { rotateKeys } from "./rotate";
import type { Runner } from "./runner";
import { type InputSource, readSettings, type Settings } from "./settings";

export const ACTION_VERSION = "0.1.0";
const USER_AGENT = `keyward-action/${ACTION_VERSION} node/${process.versions.node}`;

/**
 * The whole action: mask the credentials, read the inputs, run the mode. Side effects come in as
 * parameters; `main.ts` passes the real ones.
 */
export async function run(input: InputSource, env: NodeJS.ProcessEnv, runner: Runner): Promise<void> {
  // Before anything can print: a token handed over from an earlier step is not masked yet.
  for (const name of ["keyward-token", "github-token"]) {
    const value = input(name).trim();
    if (value !== "") runner.setSecret(value);
  }
  const settings = readSettings(input, env);
  runner.debug(`mode=${settings.mode} targets=${settings.targets.length} only-due=${settings.onlyDue} dry-run=${settings.dryRun} api=${settings.githubApiUrl}`);
  switch (settings.mode) {
    case "rotate":
      return rotateKeys(settings, {
        keyward: await connectKeyward(settings, runner, USER_AGENT),
        github: connectGitHub(settings, runner),
        runner,
        newIdempotencyKey: randomUUID,
      });
    case "check":
      return checkKeys(settings, { keyward: await connectKeyward(settings, runner, USER_AGENT), runner, now: () => new Date() });
    case "review":
      return reviewPlan(settings, {
        runner,
        readFile: (path) => readFile(path, "utf8"),
        comments: () => GitHubIssueComments.connect(gitHubConnection(settings, runner)),
        now: () => new Date(),
      });
  }
}

function connectGitHub(settings: Settings, runner: Runner): GitHubSecrets {
  return GitHubSecrets.connect(gitHubConnection(settings, runner));
}

function gitHubConnection(settings: Settings, runner: Runner): GitHubConnection {
  return {
    token: settings.githubToken as NonNullable<Settings["githubToken"]>,
    baseUrl: settings.githubApiUrl,
    userAgent: `keyward-action/${ACTION_VERSION}`,
    onWait: (message) => runner.warning(message),
    debug: (message) => runner.debug(message),
  };
}
