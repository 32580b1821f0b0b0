import * as core from "@actions/core";
import { describeError } from "./action-error";
import { run } from "./run";
import { actionsRunner } from "./runner";

/**
 * The entry point GitHub runs (`dist/index.js`). Every failure ends here as one line from
 * `describeError`: an HTTP error object carries request and response bodies, so it is never
 * printed whole, not even from a stray rejection.
 */
function fail(error: unknown): void {
  core.setFailed(describeError(error));
}

process.on("unhandledRejection", fail);
process.on("uncaughtException", fail);

await run((name) => core.getInput(name), process.env, actionsRunner).catch(fail);
