// Server CPU per unary call, grpc-js's server vs createUnaryServer (issue 14), over a unix socket
// with mutual TLS, a grpc-js client in a child process making 2,000 calls of 2 kB, 10 at a time:
// `npx tsx packages/terraform-plugin/bench/unary-transport.ts grpc-js` (or `http2`). Run the two
// alternately: on a shared machine only the comparison means anything.
import * as grpc from "@grpc/grpc-js";
import { fork } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSelfSignedCertificate } from "../src/self-signed-certificate";
import { createUnaryServer } from "../src/unary-grpc-server";

const kind = process.argv[2];
if (kind !== "client" && kind !== "http2" && kind !== "grpc-js") throw new Error("expected grpc-js or http2");
if (kind === "client") {
  const [path, serverPem, key, cert, calls] = JSON.parse(process.argv[3]!);
  const client = new grpc.Client(`unix:${path}`, grpc.credentials.createSsl(Buffer.from(serverPem), Buffer.from(key), Buffer.from(cert)), { "grpc.ssl_target_name_override": "localhost", "grpc.default_authority": "localhost" });
  const payload = Buffer.alloc(2000, 7);
  const one = () => new Promise<void>((res, rej) => client.makeUnaryRequest("/t.S/M", (b: Buffer) => b, (b: Buffer) => b, payload, (e) => (e ? rej(e) : res())));
  let next = 0;
  const worker = async () => { while (next++ < calls) await one(); };
  await one();
  process.send!("warm");
  process.once("message", async () => { await Promise.all(Array.from({ length: 10 }, worker)); process.send!("done"); client.close(); process.exit(0); });
} else {
  const s = createSelfSignedCertificate();
  const c = createSelfSignedCertificate();
  const path = join(mkdtempSync(join(tmpdir(), "tr-")), "s.sock");
  const answer = (r: unknown) => r;
  let close: () => void;
  if (kind === "http2") {
    const server = createUnaryServer({ methods: new Map([["/t.S/M", { decode: (b) => b, answer, encode: (r) => r as Uint8Array }]]), maxMessageBytes: 1 << 28, tls: { key: s.privateKeyPem, cert: s.certificatePem, ca: c.certificatePem } });
    await server.listen({ path });
    close = () => server.close(() => {});
  } else {
    const server = new grpc.Server({ "grpc.enable_channelz": 0, "grpc.max_receive_message_length": 1 << 28 });
    server.addService({ M: { path: "/t.S/M", requestStream: false, responseStream: false, requestSerialize: (v: Buffer) => v, requestDeserialize: (b: Buffer) => b, responseSerialize: (v: Buffer) => v, responseDeserialize: (b: Buffer) => b } } as any, { M: (call: any, cb: any) => Promise.resolve().then(() => cb(null, call.request)) });
    await new Promise<void>((res, rej) => server.bindAsync(`unix:${path}`, grpc.ServerCredentials.createSsl(Buffer.from(c.certificatePem), [{ private_key: Buffer.from(s.privateKeyPem), cert_chain: Buffer.from(s.certificatePem) }], true), (e) => (e ? rej(e) : res())));
    close = () => server.forceShutdown();
  }
  const calls = 2000;
  const child = fork(new URL(import.meta.url).pathname, ["client", JSON.stringify([path, s.certificatePem, c.privateKeyPem, c.certificatePem, calls])], { execArgv: ["--import", "tsx"] });
  await new Promise((r) => child.once("message", r));
  const start = process.cpuUsage();
  child.send("go");
  await new Promise((r) => child.once("message", r));
  const u = process.cpuUsage(start);
  console.log(kind === "http2" ? "createUnaryServer" : "grpc-js Server", "CPU per call:", ((u.user + u.system) / calls).toFixed(0), "µs");
  close();
  process.exit(0);
}
