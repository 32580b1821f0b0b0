import {
  type ExposureResponse,
  hasValidChecksum,
  KEY_SECRET_PATTERN,
  type SecretScanningAlert,
  type SecretScanningResponse,
  TOKEN_SECRET_PATTERN,
} from "@keyward/contract";
import type { KeyRecord } from "../../storage/key-store";
import type { SecretRecord } from "../../storage/secret-store";
import { revokeLockedKey } from "../keys/revoke-key";
import { rotateLockedKey } from "../keys/rotate-key";
import { type Mutation, mutate } from "../mutation";
import { exposureResponseOf } from "../projects/project-policy";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";
import { keyEvent, tokenEvent } from "../webhooks/webhook-event";
import { deliverRotatedSecrets, type RotatedSecret } from "./deliver-rotated-secrets";

/** A secret that stopped working this recently is still a real leak worth a `true_positive`. */
export const RECENTLY_VALID_MS = 30 * 86_400_000;

type Match = SecretScanningAlert[number];
type Verdict = SecretScanningResponse[number]["label"];

/**
 * GitHub found these texts in public (SPEC §15). Each is judged offline first (shape and checksum,
 * so look-alikes never reach the database), then by digest. A live key secret gets its project's
 * exposure response for its environment (revoke by default, rotate with no grace, or notify) and a
 * `key.exposed` event; a live management token is revoked. Everything happens in one transaction,
 * within the request, and the audit log records where each secret was found — never the secret.
 */
export async function reportExposedSecrets(services: Services, context: RequestContext, alert: SecretScanningAlert): Promise<SecretScanningResponse> {
  const rotated: RotatedSecret[] = [];
  const verdicts = await mutate(services, context, async (m) => {
    rotated.length = 0;
    const answers: SecretScanningResponse = [];
    for (const match of alert) {
      answers.push({ token_raw: match.token, token_type: match.type, label: await judge(services, m, match, rotated) });
    }
    return answers;
  });
  await deliverRotatedSecrets(services, context, rotated);
  return verdicts;
}

async function judge(services: Services, m: Mutation, match: Match, rotated: RotatedSecret[]): Promise<Verdict> {
  if (!hasValidChecksum(match.token)) return "false_positive";
  if (KEY_SECRET_PATTERN.test(match.token)) return judgeKeySecret(services, m, match, rotated);
  if (TOKEN_SECRET_PATTERN.test(match.token)) return judgeToken(services, m, match);
  return "false_positive";
}

function liveAt(record: { revokedAt: Date | null; expiresAt: Date | null }, now: Date): boolean {
  return record.revokedAt === null && (record.expiresAt === null || record.expiresAt > now);
}

function endedRecently(record: { revokedAt: Date | null; expiresAt: Date | null }, now: Date): boolean {
  const ended = record.revokedAt ?? record.expiresAt;
  return ended !== null && now.getTime() - ended.getTime() <= RECENTLY_VALID_MS;
}

async function judgeKeySecret(services: Services, m: Mutation, match: Match, rotated: RotatedSecret[]): Promise<Verdict> {
  const found = await m.stores.secrets.lookup(services.pepper.digest(match.token));
  if (!found) return "false_positive";
  const key = (await m.stores.keys.get(found.key.id, { lock: true })) as KeyRecord;
  const live = liveAt(key, m.now) && liveAt(found.secret, m.now);
  const where = { url: match.url ?? null, source: match.source ?? null, version: found.secret.version };
  if (!live) {
    if (!endedRecently(found.secret, m.now) && !endedRecently(key, m.now)) return "false_positive";
    await m.audit({ action: "key.exposed", target: key.id, project: key.project, environment: key.environment, details: { ...where, response: "none", live: false } });
    return "true_positive";
  }
  const response = exposureResponseOf(await m.stores.policies.get(key.project), key.environment);
  const after = await respond(services, m, key, found.secret, response, rotated);
  await m.audit({
    action: "key.exposed",
    target: key.id,
    project: key.project,
    environment: key.environment,
    details: { ...where, response, live: true },
  });
  await m.emit(
    keyEvent("key.exposed", after, m.now, {
      ...(match.url ? { url: match.url } : {}),
      ...(match.source ? { source: match.source } : {}),
      response,
    }),
  );
  return "true_positive";
}

/**
 * Applies the exposure response. `rotate` issues a new secret with no grace period, handed back
 * for delivery to the key's destinations once this transaction commits (`key.deliver` audits
 * what happened). An exposed previous secret (still in its grace period) is simply revoked, since
 * rotating would not touch it.
 */
async function respond(services: Services, m: Mutation, key: KeyRecord, secret: SecretRecord, response: ExposureResponse, rotated: RotatedSecret[]): Promise<KeyRecord> {
  if (response === "notify") return key;
  if (response === "revoke") return revokeLockedKey(m, key, { reason: "exposed" });
  if (secret.version !== key.version) {
    await m.stores.secrets.update({ ...secret, revokedAt: m.now });
    m.changed({ kind: "key", id: key.id });
    return key;
  }
  const rotation = await rotateLockedKey(services, m, key, { details: { reason: "exposed" } });
  rotated.push({ key: rotation.key, secret: rotation.secret });
  return rotation.key;
}

async function judgeToken(services: Services, m: Mutation, match: Match): Promise<Verdict> {
  const token = await m.stores.tokens.findByDigest(services.pepper.digest(match.token));
  if (!token) return "false_positive";
  const where = { url: match.url ?? null, source: match.source ?? null };
  if (!liveAt(token, m.now)) {
    if (!endedRecently(token, m.now)) return "false_positive";
    await m.audit({ action: "token.exposed", target: token.id, project: token.project, environment: token.environment, details: { ...where, response: "none", live: false } });
    return "true_positive";
  }
  // A management token in public is revoked whatever the project policy says: it can mint keys.
  await m.stores.tokens.revoke(token.id, m.now);
  await m.audit({ action: "token.exposed", target: token.id, project: token.project, environment: token.environment, details: { ...where, response: "revoke", live: true } });
  m.changed({ kind: "token", id: token.id });
  await m.emit(tokenEvent("token.revoked", { ...token, revokedAt: m.now }));
  return "true_positive";
}
