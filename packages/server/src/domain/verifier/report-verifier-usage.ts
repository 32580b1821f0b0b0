import type { VerifierUsageRequest, VerifierUsageResponse, VerificationCode } from "@keyward/contract";
import { type Caller, sees } from "../authorization";
import type { Services } from "../services";

/**
 * Usage an in-process verifier counted, recorded as the server records its own verifications
 * (batched by the usage recorder). A report for a key the caller does not see, or that does not
 * exist, is dropped without saying which, so reports cannot probe for keys.
 */
export async function reportVerifierUsage(services: Services, caller: Caller, request: VerifierUsageRequest): Promise<VerifierUsageResponse> {
  const now = services.clock();
  let accepted = 0;
  const placements = await services.storage.stores.verifier.placements([...new Set(request.reports.map((report) => report.key_id))]);
  for (const report of request.reports) {
    const key = placements.get(report.key_id);
    if (!key || !sees(caller, key)) continue;
    // A verifier's clock may run ahead; usage is never recorded in the future.
    const reported = new Date(report.last_at);
    const at = reported > now ? now : reported;
    for (const [code, count] of Object.entries(report.counts)) {
      services.usage.recordVerification(report.key_id, code as VerificationCode, at, report.last_ip ?? null, count);
    }
    accepted += 1;
  }
  return { accepted };
}
