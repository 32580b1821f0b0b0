import { describeDestination, type Secret } from "@keyward/contract";
import type { KeyRecord } from "../../storage/key-store";
import { mutate } from "../mutation";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";

/** A key the leak response rotated, with the new secret it issued: to be delivered after commit. */
export interface RotatedSecret {
  readonly key: KeyRecord;
  readonly secret: Secret;
}

/**
 * The `rotate` exposure response's second half (SPEC §15): the new secret goes to the key's declared
 * destinations (SPEC §13), written with the server's GitHub token (`KEYWARD_GITHUB_TOKEN`). It runs
 * after the rotation committed, since the exposed secret must stop whatever GitHub answers, and
 * the outcome is audited as `key.deliver`: the destinations written, or the one that failed and why,
 * or why nothing could be delivered. The secret itself is never recorded.
 */
export async function deliverRotatedSecrets(services: Services, context: RequestContext, rotated: readonly RotatedSecret[]): Promise<void> {
  for (const { key, secret } of rotated) {
    const outcome = await deliver(services, key, secret);
    await mutate(services, context, (m) =>
      m.audit({ action: "key.deliver", target: key.id, project: key.project, environment: key.environment, details: { reason: "exposed", version: key.version, ...outcome } }),
    );
  }
}

async function deliver(services: Services, key: KeyRecord, secret: Secret): Promise<Record<string, unknown>> {
  const destinations = key.destinations.map(describeDestination);
  if (destinations.length === 0) return { delivered: [], outcome: "the key declares no destinations, so the new secret was not delivered anywhere" };
  if (!services.github) return { delivered: [], outcome: "not delivered: the server has no GitHub token (set KEYWARD_GITHUB_TOKEN)" };
  const { SecretDelivery, secretWriteOf } = await import("@keyward/github-secrets");
  let delivery: Awaited<ReturnType<typeof SecretDelivery.prepare>>;
  try {
    delivery = await SecretDelivery.prepare(services.github, key.destinations.map(secretWriteOf));
    await delivery.deliver(secret);
  } catch (error) {
    return { delivered: [], outcome: `not delivered: ${error instanceof Error ? error.message : "unexpected failure"}` };
  }
  return { delivered: destinations, outcome: "delivered" };
}
