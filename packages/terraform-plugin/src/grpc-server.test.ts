import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { GrpcCallError, GrpcStatus, startGrpcServer, type GrpcServer } from "./grpc-server";
import { createLogger } from "./logger";
import { createSelfSignedCertificate } from "./self-signed-certificate";

// A well-kept gRPC client (grpc-js) against the server, over mutual TLS as Terraform connects.
const serverCertificate = createSelfSignedCertificate();
const clientCertificate = createSelfSignedCertificate();
const log = createLogger({ module: "test", level: "error", write: () => {} });
let server: GrpcServer | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(resolve) : resolve()));
  server = undefined;
});

async function call(path: string, body: Buffer, certificate = clientCertificate): Promise<Buffer> {
  const credentials = grpc.credentials.createSsl(Buffer.from(serverCertificate.certificatePem), Buffer.from(certificate.privateKeyPem), Buffer.from(certificate.certificatePem));
  const client = new grpc.Client(`127.0.0.1:${server!.port}`, credentials, { "grpc.ssl_target_name_override": "localhost", "grpc.default_authority": "localhost" });
  try {
    return await new Promise((resolve, reject) => {
      client.makeUnaryRequest(path, (value: Buffer) => value, (value: Buffer) => value, body, (error, answer) => (error ? reject(error) : resolve(answer!)));
    });
  } finally {
    client.close();
  }
}

async function serve(handlers: Record<string, (request: Uint8Array) => Promise<Uint8Array>>, maxMessageBytes = 1024 * 1024): Promise<void> {
  server = await startGrpcServer({
    handlers: new Map(Object.entries(handlers)),
    clientCertificatePem: clientCertificate.certificatePem,
    certificatePem: serverCertificate.certificatePem,
    privateKeyPem: serverCertificate.privateKeyPem,
    maxMessageBytes,
    log,
  });
}

describe("the unary gRPC server", () => {
  it("answers a call with its handler's message, large ones included", async () => {
    await serve({ "/test.Echo/Reverse": async (request) => Buffer.from(request).reverse() });
    expect((await call("/test.Echo/Reverse", Buffer.from("abc"))).toString()).toBe("cba");
    const large = Buffer.alloc(512 * 1024, 7);
    expect((await call("/test.Echo/Reverse", large)).equals(large)).toBe(true);
    expect((await call("/test.Echo/Reverse", Buffer.alloc(0))).length).toBe(0);
  });

  it("answers UNIMPLEMENTED for an unknown method and INTERNAL with the message for a failed handler", async () => {
    await serve({
      "/test.Echo/Fail": async () => {
        throw new Error("the provider could not answer: 100% broken, café");
      },
      "/test.Echo/Refuse": async () => {
        throw new GrpcCallError(GrpcStatus.INVALID_ARGUMENT, "no");
      },
    });
    await expect(call("/test.Echo/Missing", Buffer.from("x"))).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    await expect(call("/test.Echo/Fail", Buffer.from("x"))).rejects.toMatchObject({ code: grpc.status.INTERNAL, details: "the provider could not answer: 100% broken, café" });
    await expect(call("/test.Echo/Refuse", Buffer.from("x"))).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: "no" });
  });

  it("refuses a request larger than the limit", async () => {
    await serve({ "/test.Echo/Reverse": async (request) => request }, 1024);
    await expect(call("/test.Echo/Reverse", Buffer.alloc(4096))).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
  });

  it("accepts only the client certificate it was given", async () => {
    await serve({ "/test.Echo/Reverse": async (request) => request });
    await expect(call("/test.Echo/Reverse", Buffer.from("x"), createSelfSignedCertificate())).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });
});
