import type { VerificationCode, VerifierUsageReport, VerifierUsageRequest, VerifierUsageResponse } from "@keyward/contract";
import type { KeyPlacement } from "../../storage/verifier-store";
import { type Caller, sees } from "../authorization";
import type { Services } from "../services";

/**
 * Usage an in-process verifier counted, recorded as the server records its own verifications
 * (batched by the usage recorder), with the secret version presented so its last use is kept and a
 * grace waiting for first use starts (SPEC §18). A report for a key the caller does not see, or
 * that does not exist, is dropped without saying which, so reports cannot probe for keys.
 */
export async function reportVerifierUsage(services: Services, caller: Caller, request: VerifierUsageRequest): Promise<VerifierUsageResponse> {
  const now = services.clock();
  let accepted = 0;
  const placements = await services.storage.stores.verifier.placements([...new Set(request.reports.map((report) => report.key_id))]);
  for (const report of request.reports) {
    const key = placements.get(report.key_id);
    if (!key || !sees(caller, key)) continue;
    record(services, report, key, now);
    accepted += 1;
  }
  return { accepted };
}

function record(services: Services, report: VerifierUsageReport, key: KeyPlacement, now: Date): void {
  // A verifier's clock may run ahead; usage is never recorded in the future.
  const at = earlier(new Date(report.last_at), now);
  const ip = report.last_ip ?? null;
  // A version the key never had (a purged secret, a confused reporter) still counts for the key.
  const issuedAt = report.version === undefined ? undefined : key.issuedAt.get(report.version);
  const version = issuedAt ? report.version : undefined;
  const counts = { ...report.counts };
  if (issuedAt && counts.VALID && report.first_valid_at) {
    // The first success goes first, at its own time, so the grace starts then; a secret cannot have been used before it was issued.
    const firstValidAt = later(earlier(new Date(report.first_valid_at), at), issuedAt);
    services.usage.recordVerification(report.key_id, "VALID", firstValidAt, ip, 1, version);
    counts.VALID -= 1;
  }
  for (const [code, count] of Object.entries(counts) as [VerificationCode, number][]) {
    if (count > 0) services.usage.recordVerification(report.key_id, code, at, ip, count, version);
  }
}

function earlier(a: Date, b: Date): Date {
  return a < b ? a : b;
}

function later(a: Date, b: Date): Date {
  return a > b ? a : b;
}
