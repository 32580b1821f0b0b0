import { type Destination, describeDestination, type Secret } from "@keyward/contract";
import type { SecretDelivery } from "@keyward/github-secrets";
import { type Diagnostic, DiagnosticError, Diagnostics } from "@keyward/terraform-plugin";
import { loadGitHubSecrets, loadedGitHubSecrets } from "./github-secrets-loader";
import type { KeywardContext } from "./provider-context";

/**
 * Delivery of a key's secret to its destinations during apply (SPEC §13). Every destination is
 * checked first (its public key, an org secret's repositories), so a destination the GitHub token
 * cannot reach fails before a secret is issued; a write that fails after the issue undoes it
 * (the created key is deleted, a rotation rolled back) and apply fails naming the destination.
 */
export async function prepareDelivery(client: KeywardContext, keyLabel: string, destinations: readonly Destination[]): Promise<SecretDelivery | undefined> {
  if (destinations.length === 0) return undefined;
  if (!client.github) throw new DiagnosticError([missingGitHubToken(keyLabel)]);
  try {
    const { SecretDelivery, secretWriteOf } = await loadGitHubSecrets();
    return await SecretDelivery.prepare(client.github, destinations.map(secretWriteOf));
  } catch (error) {
    throw new DiagnosticError([Diagnostics.requestFailed(`deliver the secret of ${keyLabel}`, `${reasonOf(error)}. Nothing was issued.`)]);
  }
}

/**
 * A rotation that delivers keeps the previous secret valid at least this long when the key has no
 * grace period of its own: a rollback needs the previous secret still valid (SPEC §3), and the
 * writes to every destination must finish first.
 */
export const DELIVERY_GRACE_PERIOD = "5m";

export interface Undo {
  /** What undoing did, e.g. "The key was deleted". */
  readonly done: string;
  /** What is left when undoing failed too. */
  readonly failed: string;
  readonly run: () => Promise<unknown>;
}

/** Delivers `secret`; on a failed write runs `undo` and fails with what was undone. */
export async function deliverOrUndo(delivery: SecretDelivery | undefined, secret: Secret, keyLabel: string, undo: Undo): Promise<void> {
  if (!delivery) return;
  try {
    await delivery.deliver(secret);
  } catch (error) {
    let undone = `${undo.done}.`;
    try {
      await undo.run();
    } catch (undoError) {
      undone = `Undoing it failed as well (${reasonOf(undoError)}): ${undo.failed}.`;
    }
    throw new DiagnosticError([Diagnostics.requestFailed(`deliver the secret of ${keyLabel}`, `${reasonOf(error)}. ${undone}`)]);
  }
}

export function missingGitHubToken(keyLabel: string): Diagnostic {
  return Diagnostics.missingAttribute(
    ["destination"],
    `${keyLabel} declares destinations, so the provider writes its secret to GitHub: set github_token in the provider block, or the GITHUB_TOKEN environment variable, to a token with "Secrets: write".`,
  );
}

export function deliveryLabel(destinations: readonly Destination[]): string {
  return destinations.map(describeDestination).join(", ");
}

function reasonOf(error: unknown): string {
  // A DeliveryError can only come from the loaded module.
  const loaded = loadedGitHubSecrets();
  if (loaded && error instanceof loaded.DeliveryError) return error.message;
  return error instanceof Error ? error.message.split("\n", 1)[0]! : "unexpected failure";
}
