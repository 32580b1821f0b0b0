import type { Server } from "node:http";
import type { Socket } from "node:net";

/**
 * Closes the server's connections at shutdown: every one with no request in flight at once, and
 * each other one as soon as its answer is complete. Node's `closeIdleConnections`, which
 * `server.close` and fastify use, skips a connection that has not sent a request yet (a client's
 * spare, a load balancer's pre-opened one) and one whose answer completes after it ran, and
 * `server.close` stops the checks of its header and keep-alive timeouts: either connection held
 * shutdown open until the client hung up.
 */
export class ConnectionCloser {
  private readonly open = new Set<Socket>();
  private readonly busy = new Set<Socket>();
  private closing = false;

  constructor(server: Server) {
    server.on("connection", (socket: Socket) => {
      // Accepted in the moment between `closeAll` and the listener's close.
      if (this.closing) return void socket.destroy();
      this.open.add(socket);
      socket.once("close", () => {
        this.open.delete(socket);
        this.busy.delete(socket);
      });
    });
    server.on("request", ({ socket }, response) => {
      this.busy.add(socket);
      response.once("close", () => {
        this.busy.delete(socket);
        if (this.closing) socket.end();
      });
    });
  }

  /** Closes the connections with no request in flight, and the others once answered. */
  closeAll(): void {
    this.closing = true;
    for (const socket of this.open) if (!this.busy.has(socket)) socket.destroy();
  }
}
