import { PassThrough } from "node:stream";
import { routes, type VerifierEvent } from "@keyward/contract";
import { reportVerifierUsage } from "../domain/verifier/report-verifier-usage";
import { verifierSnapshot } from "../domain/verifier/verifier-snapshot";
import { VerifierStream } from "../domain/verifier/verifier-stream";
import { defineRoute, type RouteKit } from "./route-kit";

/** One Server-Sent Event (WHATWG HTML §9.2): JSON has no raw newline, so `data:` is one line. */
function serverSentEvent(event: VerifierEvent): string {
  const id = "cursor" in event ? `id: ${event.cursor}\n` : "";
  return `event: ${event.event}\n${id}data: ${JSON.stringify(event.data)}\n\n`;
}

/** Unread events a stream may hold for a slow client before it is cut off (it reconnects and resumes). */
const MAX_UNREAD_BYTES = 8 * 1024 * 1024;

/** SPEC §16: what the SDK's in-process verifier loads, follows and reports to. */
export function registerVerifierRoutes(kit: RouteKit): void {
  const open = new Set<PassThrough>();
  // A stream never ends by itself: without this, closing the server would wait for every verifier to hang up.
  kit.app.addHook("preClose", async () => {
    for (const body of open) body.end();
  });
  defineRoute(kit, routes.getVerifierSnapshot, (call) => verifierSnapshot(kit.services, call.context.caller, call.query));
  defineRoute(kit, routes.streamVerifierEvents, async (call) => {
    const body = new PassThrough();
    let largest = 0;
    const stream = new VerifierStream(kit.services, call.context.caller, call.query, {
      send: (event) => {
        const text = serverSentEvent(event);
        largest = Math.max(largest, text.length);
        body.write(text);
        // A client that stopped reading without hanging up (a stalled proxy) must not make the server hold its events forever.
        if (body.writableLength + body.readableLength > Math.max(MAX_UNREAD_BYTES, 2 * largest)) body.destroy();
      },
      end: () => body.end(),
    });
    // The client went away (or the body was destroyed): stop following the feed.
    open.add(body);
    body.on("close", () => {
      open.delete(body);
      stream.close();
    });
    call.request.raw.on("close", () => body.destroy());
    call.reply.type("text/event-stream").header("cache-control", "no-store").header("x-accel-buffering", "no");
    stream.start();
    return body;
  });
  defineRoute(kit, routes.reportVerifierUsage, (call) => reportVerifierUsage(kit.services, call.context.caller, call.body));
}
