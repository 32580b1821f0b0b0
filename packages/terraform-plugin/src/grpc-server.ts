import { constants, createSecureServer, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from "node:http2";
import type { Logger } from "./logger";

/**
 * gRPC over HTTP/2, unary calls only: all a Terraform plugin serves (every tfplugin6 call and
 * go-plugin's `GRPCController/Shutdown` are unary). Built on Node's own `http2` and `tls`, which
 * start with Node itself; a gRPC library was the largest part of the provider's launch (issue 14).
 * Framing and status codes as in gRPC's PROTOCOL-HTTP2.md: each message is a 5-byte prefix
 * (compressed flag, big-endian length) and the bytes; the status travels in the trailers, or in the
 * headers of a trailers-only answer when the call failed.
 */
export type UnaryHandler = (request: Uint8Array) => Promise<Uint8Array>;

/** The gRPC status codes this server answers with. */
export const GrpcStatus = { OK: 0, INTERNAL: 13, UNIMPLEMENTED: 12, RESOURCE_EXHAUSTED: 8, INVALID_ARGUMENT: 3 } as const;

export interface GrpcServerOptions {
  /** Handlers by path, `/package.Service/Method`. */
  readonly handlers: ReadonlyMap<string, UnaryHandler>;
  /** The only certificate a client may present (mutual TLS): Terraform's, from PLUGIN_CLIENT_CERT. */
  readonly clientCertificatePem: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** Larger requests are refused with RESOURCE_EXHAUSTED. */
  readonly maxMessageBytes: number;
  readonly log: Logger;
}

export interface GrpcServer {
  readonly port: number;
  /** Stops accepting, lets the calls in flight finish, then calls back. */
  close(callback: () => void): void;
}

/** A call that ends with a status other than OK, and the message a client sees. */
export class GrpcCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "GrpcCallError";
  }
}

const PREFIX_BYTES = 5;

function frame(message: Uint8Array): Buffer {
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

/** The one message of a unary request, from the body's bytes. */
function unframe(body: Buffer): Uint8Array {
  if (body.length < PREFIX_BYTES) throw new GrpcCallError(GrpcStatus.INVALID_ARGUMENT, "the request holds no gRPC message");
  if (body[0] !== 0) throw new GrpcCallError(GrpcStatus.UNIMPLEMENTED, "compressed messages are not supported; send with grpc-encoding identity");
  const length = body.readUInt32BE(1);
  if (body.length !== PREFIX_BYTES + length) throw new GrpcCallError(GrpcStatus.INVALID_ARGUMENT, "a unary request holds exactly one gRPC message");
  return body.subarray(PREFIX_BYTES);
}

/** grpc-message (PROTOCOL-HTTP2.md): UTF-8, every byte outside printable ASCII, and `%`, as %XX. */
function percentEncoded(message: string): string {
  let encoded = "";
  for (const byte of Buffer.from(message, "utf8")) {
    encoded += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return encoded;
}

function failWith(stream: ServerHttp2Stream, status: number, message: string): void {
  if (stream.destroyed || stream.headersSent) return;
  stream.respond({ [constants.HTTP2_HEADER_STATUS]: 200, "content-type": "application/grpc", "grpc-status": String(status), "grpc-message": percentEncoded(message) }, { endStream: true });
}

function readBody(stream: ServerHttp2Stream, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    stream.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBytes + PREFIX_BYTES) {
        reject(new GrpcCallError(GrpcStatus.RESOURCE_EXHAUSTED, `the request is larger than ${maxBytes} bytes`));
        stream.pause();
        return;
      }
      chunks.push(chunk);
    });
    stream.once("end", () => resolve(Buffer.concat(chunks, length)));
    stream.once("error", reject);
  });
}

async function serveCall(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, options: GrpcServerOptions): Promise<void> {
  const path = String(headers[constants.HTTP2_HEADER_PATH] ?? "");
  const handler = options.handlers.get(path);
  if (headers[constants.HTTP2_HEADER_METHOD] !== "POST" || !String(headers["content-type"] ?? "").startsWith("application/grpc")) {
    throw new GrpcCallError(GrpcStatus.INVALID_ARGUMENT, "expected a gRPC call: POST with content-type application/grpc");
  }
  if (!handler) throw new GrpcCallError(GrpcStatus.UNIMPLEMENTED, `unknown method ${path}`);
  const request = unframe(await readBody(stream, options.maxMessageBytes));
  const response = await handler(request);
  if (stream.destroyed) return;
  stream.respond({ [constants.HTTP2_HEADER_STATUS]: 200, "content-type": "application/grpc" }, { waitForTrailers: true });
  stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": String(GrpcStatus.OK) }));
  stream.end(frame(response));
}

/** Listens on a loopback port with mutual TLS (TLS ≥ 1.2, ALPN h2, which gRPC clients require). */
export function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServer> {
  const server = createSecureServer({
    key: options.privateKeyPem,
    cert: options.certificatePem,
    ca: options.clientCertificatePem,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: "TLSv1.2",
    ALPNProtocols: ["h2"],
    // In megabytes: a large state arrives in one message.
    maxSessionMemory: Math.ceil((2 * options.maxMessageBytes) / (1024 * 1024)),
  });
  const sessions = new Set<ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    session.on("error", (error) => options.log.debug("connection failed", { error: error.name }));
  });
  server.on("stream", (stream, headers) => {
    stream.on("error", (error) => options.log.debug("stream failed", { error: error.name }));
    serveCall(stream, headers, options).catch((error: unknown) => {
      if (error instanceof GrpcCallError) return failWith(stream, error.status, error.message);
      failWith(stream, GrpcStatus.INTERNAL, error instanceof Error ? error.message : "internal error");
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") return reject(new Error("the gRPC server has no TCP port"));
      resolve({
        port: address.port,
        close(callback) {
          server.close(() => callback());
          for (const session of sessions) session.close();
        },
      });
    });
  });
}
