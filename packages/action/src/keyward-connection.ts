import { Keyward } from "@keyward/client";
import type { Secret } from "@keyward/contract";
import { ActionError, describeError } from "./action-error";
import type { Runner } from "./runner";
import type { Settings } from "./settings";

/**
 * The Keyward client the action works with. With `keyward-token` it uses that token; without it
 * (SPEC §14) it asks the runner for the job's OIDC ID token for `audience`, exchanges it for a
 * short-lived management token under a trust policy, and masks that token before anything else
 * can print it. Neither the ID token nor the minted token is ever printed.
 */
export async function connectKeyward(settings: Settings, runner: Runner, userAgent: string): Promise<Keyward> {
  const url = settings.keywardUrl as URL;
  const token = settings.keywardToken ?? (await exchangeIdToken(settings, runner, userAgent));
  return new Keyward({ url, token, userAgent });
}

async function exchangeIdToken(settings: Settings, runner: Runner, userAgent: string): Promise<Secret> {
  const audience = settings.audience as string;
  let idToken: string;
  try {
    idToken = await runner.getIDToken(audience);
  } catch (error) {
    throw new ActionError(
      `No keyward-token was given and the job's OIDC ID token could not be requested (${describeError(error)}). Give the job \`permissions: id-token: write\`, or pass keyward-token.`,
    );
  }
  runner.setSecret(idToken);
  let exchanged: Awaited<ReturnType<typeof Keyward.exchangeIdToken>>;
  try {
    exchanged = await Keyward.exchangeIdToken({ url: settings.keywardUrl as URL, idToken, userAgent });
  } catch (error) {
    throw new ActionError(
      `Keyward refused the job's OIDC ID token for audience '${audience}' (${describeError(error)}). Check that a trust policy names this repository, ref and environment and this audience.`,
    );
  }
  // Before anything else: from here on the runner masks the minted token wherever it appears.
  runner.setSecret(exchanged.secret.reveal());
  runner.info(`Exchanged the job's OIDC ID token for a Keyward management token (${exchanged.token.hint}) that expires at ${exchanged.expires_at}.`);
  return exchanged.secret;
}
