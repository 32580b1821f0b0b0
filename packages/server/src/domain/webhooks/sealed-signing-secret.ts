import { Secret } from "@keyward/contract";
import type { Pepper } from "../pepper";
import { openAnswer, sealAnswer } from "../sealed-answer";

/**
 * A webhook's signing secret at rest: the server must read it back to sign each delivery, so it is
 * sealed (AES-256-GCM, the sealing used for saved answers) under a key derived from the pepper and
 * bound to the webhook id, rather than digested. A copy of the database alone cannot forge deliveries.
 */
const SEALING_LABEL = "keyward webhook signing secret v1";

export function sealSigningSecret(pepper: Pepper, webhookId: string, secret: Secret): string {
  return sealAnswer(pepper.derive(SEALING_LABEL), webhookId, secret.reveal());
}

export function openSigningSecret(pepper: Pepper, webhookId: string, sealed: string): Secret {
  return new Secret(openAnswer(pepper.derive(SEALING_LABEL), webhookId, sealed) as string);
}
