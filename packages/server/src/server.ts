import type { AddressInfo } from "node:net";
import type { Keyward } from "./keyward";

export interface ListeningServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish, writes pending usage, closes the database. */
  close(): Promise<void>;
}

/** Makes a Keyward app listen. Nothing else: the app is built by `buildApp`. */
export async function listen(keyward: Keyward, options: { host: string; port: number }): Promise<ListeningServer> {
  await keyward.app.listen({ host: options.host, port: options.port });
  const address = keyward.app.server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return { url: `http://${host}:${address.port}`, port: address.port, close: () => keyward.close() };
}
