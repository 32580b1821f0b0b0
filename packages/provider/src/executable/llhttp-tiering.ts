import * as diagnosticsChannel from "node:diagnostics_channel";

/**
 * The V8 flag that lets a WebAssembly function run this many bytes on Liftoff, the baseline
 * compiler, before it is optimised, and the value this process started with (V8's default since
 * dynamic tiering; a test checks it against the running Node's `--v8-options`).
 */
const TIERING_BUDGET_FLAG = "--wasm-tiering-budget";
export const DEFAULT_TIERING_BUDGET = 1_800_000;
const UNSPENDABLE_TIERING_BUDGET = 2 ** 31 - 1;

/** The diagnostics channels undici publishes around opening a connection (lib/core/diagnostics.js). */
const BEFORE_CONNECT = "undici:client:beforeConnect";
const CONNECTED = "undici:client:connected";
const CONNECT_ERROR = "undici:client:connectError";

/** Channels as `node:diagnostics_channel` gives them (a test publishes on its own). */
export type Channels = Pick<typeof diagnosticsChannel, "subscribe" | "unsubscribe">;

/**
 * Keeps undici's HTTP/1 parser (llhttp, WebAssembly) on Liftoff for the life of the process (issue
 * 14). undici compiles and instantiates llhttp once, when its first connection opens, and V8 gives
 * each function of an instance its tiering budget then: with the default budget, reading two list
 * pages made V8 optimise the parser's large state machine on background threads, 100–150 ms of CPU
 * in a plan's provider launch, for a parser that runs a few milliseconds in all.
 *
 * The budget is raised only while the first connection opens and put back as soon as it is open:
 * V8 checks every code cache against a hash of the flags, so with a flag changed for longer, Node's
 * own built-in modules would compile without their embedded caches (30 → 70 ms in a launch) and the
 * executable's parts would write caches that the next launch rejects (executable-part.ts).
 * `setFlags` is `v8.setFlagsFromString`, which the launcher loads only when a connection opens:
 * `node:v8` costs a launch 3–7 ms, and most launches open none.
 */
export function keepLlhttpOnLiftoff(setFlags: (flags: string) => void, channels: Channels = diagnosticsChannel): void {
  const raise = () => setFlags(`${TIERING_BUDGET_FLAG}=${UNSPENDABLE_TIERING_BUDGET}`);
  const restore = () => setFlags(`${TIERING_BUDGET_FLAG}=${DEFAULT_TIERING_BUDGET}`);
  // After the first connection the parser's instance exists (client-h1.js keeps one per process).
  const opened = () => {
    restore();
    channels.unsubscribe(BEFORE_CONNECT, raise);
    channels.unsubscribe(CONNECTED, opened);
    channels.unsubscribe(CONNECT_ERROR, restore);
  };
  channels.subscribe(BEFORE_CONNECT, raise);
  channels.subscribe(CONNECTED, opened);
  channels.subscribe(CONNECT_ERROR, restore);
}
