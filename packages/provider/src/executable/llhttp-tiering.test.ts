import { execFileSync } from "node:child_process";
import * as diagnosticsChannel from "node:diagnostics_channel";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import { Script } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_TIERING_BUDGET, keepLlhttpOnLiftoff, type Channels } from "./llhttp-tiering";

/** Channels that only this test publishes on. */
function fakeChannels() {
  const subscribers = new Map<string | symbol, Set<(message: unknown, name: string | symbol) => void>>();
  const channels: Channels = {
    subscribe: (name, listener) => void (subscribers.get(name) ?? subscribers.set(name, new Set()).get(name))!.add(listener),
    unsubscribe: (name, listener) => subscribers.get(name)?.delete(listener) ?? false,
  };
  const publish = (name: string) => subscribers.get(name)?.forEach((listener) => listener({}, name));
  const count = () => [...subscribers.values()].reduce((total, listeners) => total + listeners.size, 0);
  return { channels, publish, count };
}

describe("keepLlhttpOnLiftoff", () => {
  it("raises the budget while the first connection opens, puts it back once open, and then leaves connections alone", () => {
    const flags: string[] = [];
    const { channels, publish, count } = fakeChannels();
    keepLlhttpOnLiftoff((flag) => flags.push(flag), channels);
    expect(flags).toEqual([]);
    publish("undici:client:beforeConnect");
    expect(flags).toEqual(["--wasm-tiering-budget=2147483647"]);
    publish("undici:client:connected");
    expect(flags).toEqual(["--wasm-tiering-budget=2147483647", `--wasm-tiering-budget=${DEFAULT_TIERING_BUDGET}`]);
    expect(count()).toBe(0);
    publish("undici:client:beforeConnect");
    publish("undici:client:connected");
    expect(flags).toHaveLength(2);
  });

  it("puts the budget back when a connection fails, and raises it again for the next", () => {
    const flags: string[] = [];
    const { channels, publish, count } = fakeChannels();
    keepLlhttpOnLiftoff((flag) => flags.push(flag), channels);
    publish("undici:client:beforeConnect");
    publish("undici:client:connectError");
    expect(flags).toEqual(["--wasm-tiering-budget=2147483647", `--wasm-tiering-budget=${DEFAULT_TIERING_BUDGET}`]);
    expect(count()).toBe(3);
    publish("undici:client:beforeConnect");
    publish("undici:client:connected");
    expect(flags.slice(2)).toEqual(["--wasm-tiering-budget=2147483647", `--wasm-tiering-budget=${DEFAULT_TIERING_BUDGET}`]);
    expect(count()).toBe(0);
  });

  it("puts back the budget this Node starts with", () => {
    const options = execFileSync(process.execPath, ["--v8-options"], { encoding: "utf8" });
    expect(/default: --wasm-tiering-budget=(\d+)\n/.exec(options)?.[1]).toBe(String(DEFAULT_TIERING_BUDGET));
  });

  describe("with undici and V8", () => {
    let server: Server | undefined;
    afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

    // V8 checks a code cache against the source's length and a hash of the flags (which is why the
    // budget must be put back): a cache of one probe is offered to another probe of the same length,
    // which no compilation cache of this process holds, and it is rejected only if the flags differ.
    let probes = 0;
    const probe = () => `/* probe ${String(++probes).padStart(6, "0")} */ 1;`;
    const cachedData = new Script(probe()).createCachedData();
    const flagsAsAtStart = () => !new Script(probe(), { cachedData }).cachedDataRejected;

    it("changes V8's flags while undici opens its first connection and leaves them as they were", async () => {
      // The undici that @keyward/client sends its requests with.
      const clientRequire = createRequire(createRequire(import.meta.url).resolve("@keyward/client/package.json"));
      const { Client } = clientRequire("undici") as typeof import("undici");
      server = createServer((_, response) => response.end("{}"));
      await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const seen: boolean[] = [];
      const observe = () => seen.push(flagsAsAtStart());
      expect(flagsAsAtStart()).toBe(true);
      keepLlhttpOnLiftoff(setFlagsFromString);
      diagnosticsChannel.subscribe("undici:client:beforeConnect", observe);
      try {
        for (let connection = 0; connection < 2; connection++) {
          const client = new Client(origin);
          const answer = await client.request({ path: "/", method: "GET" });
          expect(await answer.body.json()).toEqual({});
          await client.close();
          expect(flagsAsAtStart()).toBe(true);
        }
      } finally {
        diagnosticsChannel.unsubscribe("undici:client:beforeConnect", observe);
      }
      expect(seen).toEqual([false, true]);
    });
  });
});
