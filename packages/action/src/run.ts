import { randomUUID } from "node:crypto";
import { Keyward } from "@keyward/client";
import { ActionError } from "./action-error";
import { checkKeys } from "./check";
import { GitHubSecrets } from "./github-secrets";
import { rotateKeys } from "./rotate";
import type { Runner } from "./runner";
import { type InputSource, readSettings, type Settings } from "./settings";

export const ACTION_VERSION = "0.1.0";

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
        keyward: connectKeyward(settings),
        github: connectGitHub(settings, runner),
        runner,
        newIdempotencyKey: randomUUID,
      });
    case "check":
      return checkKeys(settings, { keyward: connectKeyward(settings), runner, now: () => new Date() });
    case "review":
      throw new ActionError("Mode 'review' is not available in this version of the action.");
  }
}

function connectKeyward(settings: Settings): Keyward {
  return new Keyward({
    url: settings.keywardUrl as URL,
    token: settings.keywardToken as NonNullable<Settings["keywardToken"]>,
    userAgent: `keyward-action/${ACTION_VERSION} node/${process.versions.node}`,
  });
}

function connectGitHub(settings: Settings, runner: Runner): GitHubSecrets {
  return GitHubSecrets.connect({
    token: settings.githubToken as NonNullable<Settings["githubToken"]>,
    baseUrl: settings.githubApiUrl,
    onWait: (message) => runner.warning(message),
    debug: (message) => runner.debug(message),
  });
}
