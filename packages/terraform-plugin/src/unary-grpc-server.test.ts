import * as grpc from "@grpc/grpc-js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { type ClientHttp2Session, connect as http2Connect, constants as http2Constants } from "node:http2";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { afterEach, describe, expect, it } from "vitest";
import { createSelfSignedCertificate } from "./self-signed-certificate";
import { createUnaryServer, GrpcStatus, type UnaryMethod, type UnaryServer } from "./unary-grpc-server";

// The server as Terraform's gRPC client sees it; grpc-js stands in for grpc-go as the client.
const serverCertificate = createSelfSignedCertificate();
const clientCertificate = createSelfSignedCertificate();
const text = {
  decode: (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8"),
  encode: (value: unknown) => Buffer.from(String(value), "utf8"),
};

const started: { server: UnaryServer; directory: string; clients: grpc.Client[] }[] = [];

afterEach(async () => {
  for (const { server, directory, clients } of started.splice(0)) {
    for (const client of clients) client.close();
    await new Promise<void>((resolve) => server.close(resolve));
    rmSync(directory, { recursive: true, force: true });
  }
});

async function serve(methods: Record<string, UnaryMethod>, options: { maxMessageBytes?: number; failures?: string[] } = {}) {
  const directory = mkdtempSync(join(tmpdir(), "unary-grpc-test-"));
  const server = createUnaryServer({
    methods: new Map(Object.entries(methods)),
    maxMessageBytes: options.maxMessageBytes ?? 1024 * 1024,
    tls: { key: serverCertificate.privateKeyPem, cert: serverCertificate.certificatePem, ca: clientCertificate.certificatePem },
    onCallFailed: (path) => options.failures?.push(path),
  });
  const path = join(directory, "plugin.sock");
  await server.listen({ path });
  const entry = { server, directory, clients: [] as grpc.Client[] };
  started.push(entry);
  const connect = (certificate = clientCertificate, channelOptions: grpc.ChannelOptions = {}) => {
    const credentials = grpc.credentials.createSsl(Buffer.from(serverCertificate.certificatePem), Buffer.from(certificate.privateKeyPem), Buffer.from(certificate.certificatePem));
    const client = new grpc.Client(`unix:${path}`, credentials, { "grpc.ssl_target_name_override": "localhost", "grpc.default_authority": "localhost", ...channelOptions });
    entry.clients.push(client);
    return (method: string, request: string) =>
      new Promise<string>((resolve, reject) =>
        client.makeUnaryRequest(
          method,
          (value: string) => Buffer.from(value, "utf8"),
          (bytes: Buffer) => bytes.toString("utf8"),
          request,
          { deadline: Date.now() + 10_000 },
          (error, answer) => (error ? reject(error) : resolve(answer!)),
        ),
      );
  };
  return { connect, server, path };
}

function connect2(path: string): ClientHttp2Session {
  return http2Connect("https://localhost", {
    createConnection: () =>
      tlsConnect({ path, ca: serverCertificate.certificatePem, key: clientCertificate.privateKeyPem, cert: clientCertificate.certificatePem, servername: "localhost", ALPNProtocols: ["h2"] }),
  });
}

const echo: UnaryMethod = { ...text, answer: (request) => `echo: ${String(request)}` };

describe("createUnaryServer", () => {
  it("answers unary calls over mutual TLS, many at once on one connection", async () => {
    const { connect } = await serve({ "/test.Echo/Say": { ...text, answer: async (request) => `echo: ${String(request)}` } });
    const call = connect();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, index) => call("/test.Echo/Say", `call ${index}`)));
    expect(answers).toEqual(Array.from({ length: 50 }, (_, index) => `echo: call ${index}`));
    expect(await call("/test.Echo/Say", "")).toBe("echo: ");
  });

  it("answers a method it does not serve UNIMPLEMENTED, and keeps serving", async () => {
    const { connect } = await serve({ "/test.Echo/Say": echo });
    const call = connect();
    await expect(call("/test.Echo/Shout", "x")).rejects.toMatchObject({ code: GrpcStatus.UNIMPLEMENTED });
    expect(await call("/test.Echo/Say", "x")).toBe("echo: x");
  });

  it("answers a failed call INTERNAL with the error's message, and reports the call's path (not its request)", async () => {
    const failures: string[] = [];
    const { connect } = await serve(
      {
        "/test.Echo/Fail": {
          ...text,
          answer: () => {
            throw new Error("no such object: 100% gone");
          },
        },
      },
      { failures },
    );
    await expect(connect()("/test.Echo/Fail", "request")).rejects.toMatchObject({ code: GrpcStatus.INTERNAL, details: "no such object: 100% gone" });
    expect(failures).toEqual(["/test.Echo/Fail"]);
  });

  it("reads gzip-compressed requests", async () => {
    const { connect } = await serve({ "/test.Echo/Say": echo });
    const call = connect(clientCertificate, { "grpc.default_compression_algorithm": 2, "grpc.default_compression_level": 2 });
    const long = "z".repeat(10_000);
    expect(await call("/test.Echo/Say", long)).toBe(`echo: ${long}`);
  });

  it("refuses a request larger than the bound RESOURCE_EXHAUSTED", async () => {
    const { connect } = await serve({ "/test.Echo/Say": echo }, { maxMessageBytes: 1000 });
    const call = connect();
    await expect(call("/test.Echo/Say", "x".repeat(5000))).rejects.toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED });
    expect(await call("/test.Echo/Say", "x".repeat(900))).toBe(`echo: ${"x".repeat(900)}`);
  });

  it("refuses a compressed request that inflates past the bound RESOURCE_EXHAUSTED", async () => {
    const { connect } = await serve({ "/test.Echo/Say": echo }, { maxMessageBytes: 1000 });
    const call = connect(clientCertificate, { "grpc.default_compression_algorithm": 2, "grpc.default_compression_level": 2 });
    // 100 kB of one letter is some 200 bytes gzipped: under the bound on the wire, far over it inflated.
    await expect(call("/test.Echo/Say", "z".repeat(100_000))).rejects.toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED });
    expect(await call("/test.Echo/Say", "z".repeat(900))).toBe(`echo: ${"z".repeat(900)}`);
  });

  it("refuses a client whose certificate is not the trusted one", async () => {
    const { connect } = await serve({ "/test.Echo/Say": echo });
    await expect(connect(createSelfSignedCertificate())("/test.Echo/Say", "x")).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });

  it("drops the answer of a call the client reset (success or failure alike), and keeps serving", async () => {
    const settle: (() => void)[] = [];
    const later = (outcome: "answer" | "fail") => () =>
      new Promise<unknown>((resolve, reject) => settle.push(() => (outcome === "answer" ? resolve("late") : reject(new Error("late failure")))));
    const failures: string[] = [];
    const { connect, path } = await serve({ "/test.Echo/Late": { ...text, answer: later("answer") }, "/test.Echo/LateFailure": { ...text, answer: later("fail") }, "/test.Echo/Say": echo }, { failures });
    // A raw HTTP/2 client, which resets its streams when told to (as grpc-go does for a cancelled context).
    const session = connect2(path);
    const resetStreams = ["/test.Echo/Late", "/test.Echo/LateFailure"].map((method) => {
      const stream = session.request({ ":method": "POST", ":path": method, "content-type": "application/grpc", te: "trailers" });
      stream.on("error", () => {});
      stream.end(Buffer.from([0, 0, 0, 0, 1, 0x78]));
      return stream;
    });
    await expect.poll(() => settle.length).toBe(2);
    for (const stream of resetStreams) stream.close(http2Constants.NGHTTP2_CANCEL);
    await Promise.all(resetStreams.map((stream) => new Promise((resolve) => (stream.closed ? resolve(undefined) : stream.once("close", resolve)))));
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const answer of settle) answer();
    await new Promise((resolve) => setTimeout(resolve, 50));
    session.close();
    // Only the handler's own failure is one; answering a reset stream is not attempted.
    expect(failures).toEqual(["/test.Echo/LateFailure"]);
    expect(await connect()("/test.Echo/Say", "after")).toBe("echo: after");
  });

  it("closes after the calls under way have been answered", async () => {
    let release: (() => void) | undefined;
    const { connect, server } = await serve({ "/test.Echo/Slow": { ...text, answer: () => new Promise((resolve) => (release = () => resolve("done"))) } });
    const answer = connect()("/test.Echo/Slow", "x");
    await expect.poll(() => release !== undefined).toBe(true);
    let closed = false;
    server.close(() => (closed = true));
    expect(closed).toBe(false);
    release!();
    expect(await answer).toBe("done");
    await expect.poll(() => closed).toBe(true);
  });

  it("listens without loading HTTP/2 or TLS, and loads them at prepare", async () => {
    // A fresh process: this one has loaded both for its clients.
    const directory = mkdtempSync(join(tmpdir(), "unary-grpc-test-"));
    try {
      const script = join(directory, "listen.cjs");
      const contents = `
        import { createUnaryServer } from "./unary-grpc-server";
        const loaded = () => process.moduleLoadList.filter((name) => /^NativeModule (http2|tls)$/.test(name));
        const tls = { key: process.env.KEY, cert: process.env.CERT, ca: process.env.CERT };
        const server = createUnaryServer({ methods: new Map(), maxMessageBytes: 1024, tls });
        void (async () => {
          await server.listen({ path: process.env.SOCKET });
          const listening = loaded();
          await server.prepare();
          process.stdout.write(JSON.stringify({ listening, prepared: loaded() }));
          server.close(() => {});
        })();
      `;
      await esbuild.build({ stdin: { contents, resolveDir: fileURLToPath(new URL(".", import.meta.url)), loader: "ts" }, bundle: true, platform: "node", format: "cjs", outfile: script, logLevel: "error" });
      const run = spawnSync(process.execPath, [script], { env: { KEY: serverCertificate.privateKeyPem, CERT: serverCertificate.certificatePem, SOCKET: join(directory, "plugin.sock") }, encoding: "utf8" });
      expect(run.stderr).toBe("");
      expect(JSON.parse(run.stdout)).toEqual({ listening: [], prepared: ["NativeModule tls", "NativeModule http2"] });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
