import { GitHubSecretsError } from "@keyward/github-secrets";

/**
 * A failure the action explains to its user. Its message is what the step prints, so it is built
 * from names, ids and statuses only, never from a value or a response body.
 */
export class ActionError extends Error {
  override readonly name = "ActionError";
}

/** A bad input: names the input, quotes the value and says what is expected. */
export class InputError extends ActionError {
  constructor(input: string, problem: string) {
    super(`Invalid input '${input}': ${problem}`);
  }
}

/**
 * The one line printed for any error. HTTP client errors keep their request and response (an
 * Octokit `RequestError` carries both, and a key-service answer can carry a freshly issued
 * secret), so only the class, the status and the message are used; the message of an Octokit
 * error is GitHub's own one-line `message` field.
 */
export function describeError(error: unknown): string {
  if (error instanceof ActionError || error instanceof GitHubSecretsError) return error.message;
  if (!(error instanceof Error)) return "unexpected failure (a non-Error value was thrown)";
  const status = (error as { status?: unknown }).status;
  const prefix = typeof status === "number" ? `HTTP ${status}: ` : "";
  return `${prefix}${firstLine(error.message)}`;
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0]?.slice(0, 500) ?? "";
}
