import type { Http2SecureServer, Http2Session, IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { createServer, type Socket } from "node:net";

/**
 * A gRPC server of unary calls only, straight on `node:http2` (issue 14): every call of the plugin
 * protocol Terraform makes of a provider is unary, and a plan of 200 resources makes ~800 of them
 * in one process, where grpc-js's general machinery (interceptor chain, metadata objects, stream
 * wrappers, per-call timers) cost more CPU than the calls' own work. The wire is gRPC over HTTP/2
 * as the gRPC protocol document has it: a `POST` of `application/grpc*` with one length-prefixed
 * message, answered with headers, one length-prefixed message and the `grpc-status` trailer, or
 * with a trailers-only error. Messages compressed with gzip or deflate are read; answers are never
 * compressed. Mutual TLS: the client must present a certificate signed by (here: equal to) `ca`.
 *
 * Listening takes only `node:net`: HTTP/2 and TLS (`node:http2`, which brings `node:tls`, and the
 * TLS context made from the key and certificates, together a third of a launch's own time) load
 * at `prepare` or at the first connection, whichever comes first, so that a plugin can print its
 * handshake line before them and load them while its client connects. A connection that arrives
 * earlier waits, unread, until they are ready.
 */
export interface UnaryMethod {
  /** Bytes of the request message → the request. A throw answers INTERNAL. */
  readonly decode: (bytes: Uint8Array) => unknown;
  readonly answer: (request: unknown) => unknown;
  /** The answer → bytes of the response message. */
  readonly encode: (response: unknown) => Uint8Array;
}

export interface UnaryServerOptions {
  /** Keyed by `/package.Service/Method`. Any other path is answered UNIMPLEMENTED. */
  readonly methods: ReadonlyMap<string, UnaryMethod>;
  readonly maxMessageBytes: number;
  readonly tls: { readonly key: string; readonly cert: string; readonly ca: string };
  /** Called with a call that failed (the handler threw or rejected), for the log; never with the request. */
  readonly onCallFailed?: (path: string, error: unknown) => void;
}

export type ListenTarget = { readonly path: string } | { readonly host: string; readonly port: number };

export interface UnaryServer {
  /** Resolves with the bound TCP port (0 on a unix socket). Loads neither HTTP/2 nor TLS. */
  readonly listen: (target: ListenTarget) => Promise<number>;
  /** Loads HTTP/2 and TLS and makes the TLS context now, rather than at the first connection. */
  readonly prepare: () => Promise<void>;
  /** Stops accepting, lets calls under way finish, closes every connection, then calls `done`. */
  readonly close: (done: () => void) => void;
}

/** gRPC status codes used here (grpc/doc/statuscodes.md). */
export const GrpcStatus = { OK: 0, INTERNAL: 13, UNIMPLEMENTED: 12, RESOURCE_EXHAUSTED: 8 } as const;

// HTTP/2 header names as `node:http2`'s `constants` spell them, which this module does not load.
const STATUS = ":status";
const PATH = ":path";
const CONTENT_TYPE = "content-type";
const UNSUPPORTED_MEDIA_TYPE = 415;

const RESPONSE_HEADERS = {
  [STATUS]: 200,
  [CONTENT_TYPE]: "application/grpc+proto",
  "grpc-accept-encoding": "identity,deflate,gzip",
};
const OK_TRAILERS = { "grpc-status": String(GrpcStatus.OK) };

/** `grpc-message` is percent-encoded (the gRPC HTTP/2 protocol document); grpc-js uses encodeURI too. */
function statusMessage(text: string): string {
  try {
    return encodeURI(text);
  } catch {
    return "internal error";
  }
}

function respondWithStatus(stream: ServerHttp2Stream, code: number, message: string): void {
  // A stream the client reset (a cancelled call) takes nothing more.
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  stream.respond({ ...RESPONSE_HEADERS, "grpc-status": String(code), "grpc-message": statusMessage(message) }, { endStream: true });
}

class CallError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The one message of a unary request's body: `[compressed: 1 byte][length: 4 bytes, big-endian][message]`.
 * `node:zlib` loads only for a compressed message (Terraform compresses none).
 */
export async function unaryRequestMessage(body: Buffer, encoding: string | undefined, maxMessageBytes: number): Promise<Uint8Array> {
  if (body.length < 5) throw new CallError(GrpcStatus.INTERNAL, "the request holds no message");
  const compressed = body[0] === 1;
  const length = body.readUInt32BE(1);
  if (body.length !== 5 + length) throw new CallError(GrpcStatus.INTERNAL, body.length < 5 + length ? "the request message is cut short" : "a unary request holds one message");
  const message = body.subarray(5);
  if (!compressed) return message;
  // Decompressed, a message is held to the same bound as on the wire (a small body may inflate to gigabytes).
  try {
    if (encoding === "gzip") return (await import("node:zlib")).gunzipSync(message, { maxOutputLength: maxMessageBytes });
    if (encoding === "deflate") return (await import("node:zlib")).inflateSync(message, { maxOutputLength: maxMessageBytes });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw new CallError(GrpcStatus.RESOURCE_EXHAUSTED, `Received message larger than max (decompressed, over ${maxMessageBytes})`);
    throw error;
  }
  throw new CallError(GrpcStatus.UNIMPLEMENTED, `the message encoding ${JSON.stringify(encoding ?? "")} is not supported: expected identity, gzip or deflate`);
}

function framed(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

export function createUnaryServer(options: UnaryServerOptions): UnaryServer {
  const sessions = new Set<Http2Session>();
  /** Every accepted connection until it closes, the ones still waiting for HTTP/2 included. */
  const connections = new Set<Socket>();
  let closeRequested = false;
  let closed: (() => void) | undefined;
  const closedIfDrained = () => {
    if (!closed || connections.size > 0 || listener.listening) return;
    const done = closed;
    closed = undefined;
    done();
  };

  const loadSecureServer = async (): Promise<Http2SecureServer> => {
    const { createSecureServer } = await import("node:http2");
    const server = createSecureServer({
      key: options.tls.key,
      cert: options.tls.cert,
      ca: options.tls.ca,
      requestCert: true,
      rejectUnauthorized: true,
      // As grpc-js: Node's session memory check degrades badly when reached; messages are bounded below.
      maxSessionMemory: Number.MAX_SAFE_INTEGER,
      maxSendHeaderBlockLength: Number.MAX_SAFE_INTEGER,
    });
    server.on("session", (session) => {
      sessions.add(session);
      // A connection that was still being set up when the server was told to close.
      if (closeRequested) session.close();
      session.on("close", () => sessions.delete(session));
      // A connection that breaks ends its calls; nothing else to do for it.
      session.on("error", () => {});
    });
    server.on("sessionError", () => {});
    server.on("tlsClientError", () => {});
    server.on("stream", call);
    return server;
  };
  let secureServer: Promise<Http2SecureServer> | undefined;
  const secure = () => (secureServer ??= loadSecureServer());

  // Paused: a connection's bytes stay in the kernel until TLS takes it over.
  const listener = createServer({ pauseOnConnect: true });
  listener.on("connection", (socket) => {
    connections.add(socket);
    // Errors of a connection reach the TLS socket over it; one that breaks while it waits just closes.
    socket.on("error", () => {});
    socket.once("close", () => {
      connections.delete(socket);
      closedIfDrained();
    });
    // The TLS server wraps the connection as if it had accepted it itself (the documented
    // 'connection' event of tls.Server, emitted to inject a connection).
    secure().then(
      (server) => (socket.destroyed ? undefined : server.emit("connection", socket)),
      () => socket.destroy(),
    );
  });

  const call = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    stream.on("error", () => {});
    const requested = headers[PATH];
    const path = typeof requested === "string" ? requested : "";
    const contentType = headers[CONTENT_TYPE];
    if (typeof contentType !== "string" || !contentType.startsWith("application/grpc")) {
      stream.respond({ [STATUS]: UNSUPPORTED_MEDIA_TYPE }, { endStream: true });
      stream.resume();
      return;
    }
    const method = options.methods.get(path);
    if (!method) {
      respondWithStatus(stream, GrpcStatus.UNIMPLEMENTED, `The server does not implement the method ${path}`);
      stream.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let refused = false;
    stream.on("data", (chunk: Buffer) => {
      if (refused) return;
      received += chunk.length;
      if (received > options.maxMessageBytes + 5) {
        refused = true;
        respondWithStatus(stream, GrpcStatus.RESOURCE_EXHAUSTED, `Received message larger than max (${received - 5} vs. ${options.maxMessageBytes})`);
        return;
      }
      chunks.push(chunk);
    });
    stream.on("end", () => {
      if (refused) return;
      const encoding = headers["grpc-encoding"];
      unaryRequestMessage(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), typeof encoding === "string" ? encoding : undefined, options.maxMessageBytes)
        .then((message) => method.answer(method.decode(message)))
        .then((response) => {
          // Terraform may have given up on the call (a cancelled context): nothing to answer.
          if (stream.destroyed || stream.closed) return;
          const frame = framed(method.encode(response));
          stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
          stream.once("wantTrailers", () => stream.sendTrailers(OK_TRAILERS));
          stream.end(frame);
        })
        .catch((error: unknown) => {
          if (error instanceof CallError) {
            respondWithStatus(stream, error.code, error.message);
            return;
          }
          options.onCallFailed?.(path, error);
          respondWithStatus(stream, GrpcStatus.INTERNAL, error instanceof Error ? error.message : "internal error");
        });
    });
  };
  return {
    listen: (target) =>
      new Promise<number>((resolve, reject) => {
        const failed = (error: Error) => reject(error);
        listener.once("error", failed);
        const listening = () => {
          listener.off("error", failed);
          const address = listener.address();
          resolve(typeof address === "object" && address !== null ? address.port : 0);
        };
        if ("path" in target) listener.listen(target.path, listening);
        else listener.listen(target.port, target.host, listening);
      }),
    prepare: async () => {
      await secure();
    },
    close: (done) => {
      closeRequested = true;
      closed = done;
      // Sessions close once their calls under way are answered; `done` waits for every connection.
      listener.close(closedIfDrained);
      for (const session of sessions) session.close();
    },
  };
}
