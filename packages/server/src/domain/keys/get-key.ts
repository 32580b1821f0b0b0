import type { ApiKey, PreviousSecret } from "@keyward/contract";
import type { KeyRecord } from "../../storage/key-store";
import type { SecretRecord } from "../../storage/secret-store";
import type { Caller } from "../authorization";
import { presentKey } from "../key-view";
import type { Services } from "../services";
import { findKey } from "./find-key";

export async function getKey(services: Services, caller: Caller, id: string): Promise<ApiKey> {
  const key = await findKey(services.storage.stores, caller, id);
  const now = services.clock();
  const secrets = await services.storage.stores.secrets.listForKey(key.id);
  return { ...presentKey(key, now), previous: previousSecret(key, secrets, now) };
}

const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;

/** SPEC §18: the replaced secret that still verifies, with its own last use. */
function previousSecret(key: KeyRecord, secrets: readonly SecretRecord[], now: Date): PreviousSecret | null {
  const previous = secrets.find((secret) => secret.version < key.version && !secret.revokedAt && (secret.expiresAt === null || secret.expiresAt > now));
  if (!previous) return null;
  return {
    version: previous.version,
    last_used_at: iso(previous.lastUsedAt),
    last_used_ip: previous.lastUsedIp ?? null,
    expires_at: iso(previous.expiresAt),
    grace_started_at: iso(previous.graceStartedAt),
  };
}
