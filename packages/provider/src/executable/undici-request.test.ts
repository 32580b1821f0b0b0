import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const modulePath = require.resolve("./undici-request.cjs");
const lean = require(modulePath) as Pick<typeof undici, "request" | "getGlobalDispatcher">;
// The undici that @keyward/client sends its requests with, whole, to compare with.
const clientRequire = createRequire(require.resolve("@keyward/client/package.json"));
const undici = clientRequire("undici") as typeof import("undici");

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  server = undefined;
});

/** A server that answers each request with what it received. */
async function echoServer(): Promise<URL> {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => response.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ method: request.method, url: request.url, header: request.headers["x-test"], body })));
  });
  await new Promise<void>((listening) => server!.listen(0, "127.0.0.1", listening));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/base/`);
}

/** Why a call failed, as a caller (the client's transport) tells failures apart. */
async function failureOf(call: () => Promise<unknown>) {
  try {
    await call();
  } catch (error) {
    return { name: (error as Error).name, code: (error as { code?: string }).code, message: (error as Error).message };
  }
  throw new Error("expected the call to fail");
}

describe("the provider executable's undici request", () => {
  it("sends a request as undici's request does, through the one global dispatcher", async () => {
    const base = await echoServer();
    const url = new URL("keys?limit=2", base);
    const init = { method: "POST", headers: { "x-test": "yes" }, body: '{"a":1}' } as const;
    const answers = [];
    for (const request of [lean.request, undici.request]) {
      const response = await request(url, init);
      answers.push({ status: response.statusCode, type: response.headers["content-type"], body: await response.body.json() });
    }
    expect(answers[0]).toEqual({ status: 201, type: "application/json", body: { method: "POST", url: "/base/keys?limit=2", header: "yes", body: '{"a":1}' } });
    expect(answers[1]).toEqual(answers[0]);
    expect(lean.getGlobalDispatcher()).toBe(undici.getGlobalDispatcher());
  });

  it("uses the dispatcher given, or the global one another copy of undici set", async () => {
    const mock = new undici.MockAgent();
    mock.disableNetConnect();
    mock.get("https://api.example").intercept({ path: "/v1/keys", method: "GET" }).reply(200, "given").times(1);
    mock.get("https://api.example").intercept({ path: "/v1/keys", method: "GET" }).reply(200, "global").times(1);
    const given = await lean.request("https://api.example/v1/keys", { dispatcher: mock });
    expect(await given.body.text()).toBe("given");
    const previous = undici.getGlobalDispatcher();
    undici.setGlobalDispatcher(mock);
    try {
      const global = await lean.request("https://api.example/v1/keys");
      expect(await global.body.text()).toBe("global");
    } finally {
      undici.setGlobalDispatcher(previous);
      await mock.close();
    }
  });

  it("fails as undici's request fails: a refused connection, an aborted signal, a timeout, a bad URL", async () => {
    server = createServer(() => {});
    await new Promise<void>((listening) => server!.listen(0, "127.0.0.1", listening));
    const silent = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const closed = await new Promise<string>((found) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => found(`http://127.0.0.1:${port}/`));
      });
    });
    for (const call of [
      (request: typeof undici.request) => request(closed),
      (request: typeof undici.request) => request(silent, { signal: AbortSignal.abort(new Error("stop")) }),
      (request: typeof undici.request) => request(silent, { signal: AbortSignal.timeout(20) }),
      (request: typeof undici.request) => request("not a url"),
    ]) {
      const failure = await failureOf(() => call(lean.request));
      expect(failure).toEqual(await failureOf(() => call(undici.request)));
    }
  });

  it("loads neither undici's web code nor Node's own undici", () => {
    const script = `require(${JSON.stringify(modulePath)});
      const loaded = Object.keys(require.cache);
      console.log(JSON.stringify({
        web: loaded.filter((file) => /[\\\\/]undici[\\\\/]lib[\\\\/](web|mock|cache)[\\\\/]/.test(file)).length,
        index: loaded.filter((file) => /[\\\\/]undici[\\\\/]index\\.js$/.test(file)).length,
        nodeUndici: process.moduleLoadList.filter((name) => name.includes("deps/undici")).length,
      }));`;
    expect(JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }))).toEqual({ web: 0, index: 0, nodeUndici: 0 });
  });

  it("is built from the client's undici", () => {
    // In the executable the build resolves these paths through @keyward/client; here Node does, from this file.
    expect(createRequire(modulePath).resolve("undici/index.js")).toBe(clientRequire.resolve("undici/index.js"));
  });
});
