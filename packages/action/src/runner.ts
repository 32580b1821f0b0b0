import * as core from "@actions/core";

/**
 * What the action tells the workflow runner: log lines, masks, step outputs and the job summary.
 * The modes take it as a parameter so tests can read what they said; `actionsRunner` is the real
 * one, over `@actions/core`.
 */
export interface Runner {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  /** Registers a value the runner must mask from now on (`::add-mask::`). */
  setSecret(value: string): void;
  setOutput(name: string, value: string): void;
  /** Appends markdown to the job summary. */
  summary(markdown: string): Promise<void>;
  /**
   * The job's OIDC ID token for `audience`, from the runner's ID-token endpoint
   * (`ACTIONS_ID_TOKEN_REQUEST_URL`; the job needs `permissions: id-token: write`).
   */
  getIDToken(audience: string): Promise<string>;
}

export const actionsRunner: Runner = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
  setSecret: (value) => core.setSecret(value),
  setOutput: (name, value) => core.setOutput(name, value),
  summary: async (markdown) => {
    await core.summary.addRaw(markdown, true).write();
  },
  getIDToken: (audience) => core.getIDToken(audience),
};
