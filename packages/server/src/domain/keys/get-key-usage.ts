import type { KeyUsage, UsageQuery, VerificationCode } from "@keyward/contract";
import type { Caller } from "../authorization";
import type { Services } from "../services";
import { findKey } from "./find-key";

const DEFAULT_SPAN = { hour: 48 * 3_600_000, day: 30 * 86_400_000 } as const;

export async function getKeyUsage(services: Services, caller: Caller, id: string, query: UsageQuery): Promise<KeyUsage> {
  const { stores } = services.storage;
  await findKey(stores, caller, id);
  // What this instance has gathered but not yet written belongs in the answer.
  await services.usage.flush();
  const key = await findKey(stores, caller, id);
  const since = query.since ? new Date(query.since) : new Date(services.clock().getTime() - DEFAULT_SPAN[query.granularity]);
  const counts = await stores.usage.summarize(id, since, query.granularity);
  const buckets = new Map<number, Partial<Record<VerificationCode, number>>>();
  for (const count of counts) {
    const bucket = buckets.get(count.bucket.getTime()) ?? {};
    bucket[count.code] = count.count;
    buckets.set(count.bucket.getTime(), bucket);
  }
  return {
    key_id: id,
    granularity: query.granularity,
    buckets: [...buckets].map(([start, bucketCounts]) => ({ start: new Date(start).toISOString(), counts: bucketCounts })),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    last_used_ip: key.lastUsedIp,
  };
}
