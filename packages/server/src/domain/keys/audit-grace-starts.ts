import type { GraceStart } from "../../storage/secret-store";
import type { Stores } from "../../storage/stores";
import { appendAudit } from "../mutation";
import type { RequestContext } from "../request-context";
import type { Services } from "../services";

/** No caller: a verification started it, and the usage flush wrote it. */
const FLUSH_CONTEXT: RequestContext = { caller: null, requestId: "usage-flush", sourceIp: null };

/**
 * SPEC §18 and §12: a grace that starts at first use changes when the replaced secret stops
 * verifying, so it is audited like a rotation, in the transaction that makes the change.
 */
export async function auditGraceStarts(stores: Stores, services: Services, starts: readonly GraceStart[]): Promise<void> {
  const now = services.clock();
  for (const start of starts) {
    await appendAudit(
      stores,
      services,
      FLUSH_CONTEXT,
      {
        action: "key.grace_start",
        target: start.keyId,
        project: start.project,
        environment: start.environment,
        details: {
          version: start.version,
          by_version: start.byVersion,
          started_at: start.startedAt.toISOString(),
          expires_at: start.expiresAt?.toISOString() ?? null,
        },
      },
      now,
    );
  }
}
