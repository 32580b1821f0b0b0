import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A webhook receiver on 127.0.0.1 that records every request and answers with the status the
 * test chooses (200 unless told otherwise).
 */
export class WebhookReceiver {
  readonly received: ReceivedDelivery[] = [];
  status: (delivery: ReceivedDelivery) => number = () => 200;
  private readonly server: Server;
  private waiters: (() => void)[] = [];

  private constructor(server: Server) {
    this.server = server;
  }

  static async start(port = 0): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const delivery = { headers: request.headers, body: Buffer.concat(chunks).toString("utf8") };
        (receiver as WebhookReceiver).received.push(delivery);
        response.statusCode = (receiver as WebhookReceiver).status(delivery);
        response.end();
        for (const wake of (receiver as WebhookReceiver).waiters.splice(0)) wake();
      });
    });
    receiver = new WebhookReceiver(server);
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  /** Types of the events received so far, in arrival order. */
  types(): string[] {
    return this.received.map((delivery) => (JSON.parse(delivery.body) as { type: string }).type);
  }

  /** Resolves once `done()` holds, or fails after `timeoutMs` naming what did arrive. */
  async until(done: () => boolean, timeoutMs = 20_000): Promise<void> {
    const started = Date.now();
    while (!done()) {
      if (Date.now() - started > timeoutMs) throw new Error(`webhook receiver: condition not met; received ${JSON.stringify(this.types())}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
