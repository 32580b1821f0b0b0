import type { FastifyBaseLogger, FastifyRequest } from "fastify";
import type { ApiError } from "../domain/api-error";
import { OutsideAuthorityError } from "../domain/authorization";
import type { FailedAuthCount } from "../domain/failed-auth-tally";
import { appendAudit } from "../domain/mutation";
import { type RouteKit, sourceIpOf } from "./route-kit";

/** How often finished minutes of failed authentications are written, besides at shutdown. */
const FLUSH_EVERY_MS = 10_000;

/**
 * SPEC §2/§9/§10: every refused authorisation is an audit event, and failed authentications are
 * counted per client address and written as one event per address per minute (`auth.failed`
 * with a count), so failing fast cannot flood the audit log.
 */
export async function auditAuthFailure(kit: RouteKit, request: FastifyRequest, error: ApiError): Promise<void> {
  const now = kit.services.clock();
  const reason = "reason" in error ? String(error.reason) : error.message;
  if (error.code === "UNAUTHORIZED" || (error.code === "RATE_LIMITED" && reason === "rate_limited")) {
    const sourceIp = sourceIpOf(request);
    if (error.code === "UNAUTHORIZED") kit.failedAuth.fail(sourceIp, now.getTime());
    await writeFailedAuthCounts(kit, kit.failedAuthTally.record(sourceIp, reason, request.id, now.getTime()), request.log);
    return;
  }
  const invisible = error instanceof OutsideAuthorityError;
  if (error.code !== "FORBIDDEN" && !invisible) return;
  const caller = request.keywardCaller ?? null;
  const context = { caller, requestId: request.id, sourceIp: sourceIpOf(request) };
  const entry = {
    action: "auth.forbidden",
    target: `${request.method} ${request.routeOptions.url ?? "unmatched"}`,
    // An object outside the caller's authority must stay invisible to it, also in the audit
    // events the caller can read: such a refusal is filed under no project.
    project: invisible ? null : (caller?.project ?? null),
    environment: invisible ? null : (caller?.environment ?? null),
    details: { reason },
  };
  try {
    await kit.services.storage.transaction((stores) => appendAudit(stores, kit.services, context, entry, now));
  } catch (failure) {
    request.log.error({ err: failure }, "could not record a refused request in the audit log");
  }
}

/** Writes finished minutes every few seconds and every open one when the app closes. */
export function flushFailedAuthCounts(kit: RouteKit): void {
  const timer = setInterval(() => {
    const counts = kit.failedAuthTally.drain(kit.services.clock().getTime());
    if (counts.length > 0) void writeFailedAuthCounts(kit, counts, kit.app.log);
  }, FLUSH_EVERY_MS);
  timer.unref();
  kit.app.addHook("onClose", async () => {
    clearInterval(timer);
    await writeFailedAuthCounts(kit, kit.failedAuthTally.drain(kit.services.clock().getTime(), true), kit.app.log);
  });
}

async function writeFailedAuthCounts(kit: RouteKit, counts: readonly FailedAuthCount[], log: FastifyBaseLogger): Promise<void> {
  if (counts.length === 0) return;
  const { services } = kit;
  const now = services.clock();
  try {
    await services.storage.transaction(async (stores) => {
      for (const tally of counts) {
        const context = { caller: null, requestId: tally.firstRequestId, sourceIp: tally.ip };
        await appendAudit(stores, services, context, {
          action: "auth.failed",
          target: null,
          project: null,
          environment: null,
          details: { count: tally.count, reasons: tally.reasons, window_start: tally.windowStart.toISOString(), window_end: tally.windowEnd.toISOString() },
        }, now);
      }
    });
  } catch (failure) {
    log.error({ err: failure }, "could not record failed authentications in the audit log");
  }
}
