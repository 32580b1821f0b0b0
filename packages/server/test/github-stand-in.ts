import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for GitHub's secret scanning side: it serves
 * `GET /meta/public_keys/secret_scanning` with an ECDSA P-256 key and signs alerts the way GitHub
 * does (DER ECDSA / SHA-256 over the exact body, base64 in `Github-Public-Key-Signature`).
 */
export class GithubStandIn {
  readonly keyIdentifier = "90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a";
  keyRequests = 0;
  private readonly privateKey: KeyObject;
  private readonly publicKeyPem: string;

  private constructor(private readonly server: Server) {
    const pair = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    this.privateKey = pair.privateKey;
    this.publicKeyPem = pair.publicKey.export({ type: "spki", format: "pem" }).toString();
  }

  static async start(): Promise<GithubStandIn> {
    let standIn: GithubStandIn | undefined;
    const server = createServer((request, response) => {
      const self = standIn as GithubStandIn;
      if (request.method !== "GET" || request.url !== "/meta/public_keys/secret_scanning") {
        response.statusCode = 404;
        return response.end();
      }
      self.keyRequests += 1;
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ public_keys: [{ key_identifier: self.keyIdentifier, key: self.publicKeyPem, is_current: true }] }));
    });
    standIn = new GithubStandIn(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return standIn;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The headers GitHub would send with `body`. */
  signatureHeaders(body: string): Record<string, string> {
    return {
      "github-public-key-identifier": this.keyIdentifier,
      "github-public-key-signature": sign("sha256", Buffer.from(body, "utf8"), this.privateKey).toString("base64"),
    };
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
