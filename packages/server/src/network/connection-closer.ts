import type { ServerResponse, Server } from "node:http";
import type { Socket } from "node:net";

/**
 * Closes the server's connections at shutdown: every one with no request in flight at once, and
 * each other one as soon as its answer is complete. Node's `closeIdleConnections`, which
 * `server.close` and fastify use, skips a connection that has not sent a request yet (a client's
 * spare, a load balancer's pre-opened one) and one whose answer completes after it ran, and
 * `server.close` stops the checks of its header and keep-alive timeouts: either connection held
 * shutdown open until the client hung up.
 *
 * Nothing is done per request (verification is the hot path, SPEC §16): whether a connection has
 * a request in flight is read at shutdown from the answer Node's HTTP server attaches to its socket
 * from the moment the request's headers are parsed until that answer is complete.
 */
export class ConnectionCloser {
  private readonly open = new Set<Socket>();
  private closing = false;

  constructor(server: Server) {
    server.on("connection", (socket: Socket) => {
      // Accepted in the moment between `closeAll` and the listener's close.
      if (this.closing) return void socket.destroy();
      this.open.add(socket);
      socket.once("close", () => this.open.delete(socket));
    });
  }

  /** Closes the connections with no request in flight, and the others once answered. */
  closeAll(): void {
    this.closing = true;
    for (const socket of this.open) {
      const answer = answerInFlight(socket);
      if (answer) answer.once("close", () => socket.end());
      else socket.destroy();
    }
  }
}

/** The answer a connection is sending, if any: Node's HTTP server keeps it as `_httpMessage` until it is complete. */
function answerInFlight(socket: Socket): ServerResponse | undefined {
  const answer = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  return answer && !answer.writableFinished ? answer : undefined;
}
