import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { Agent, request } from "undici";
import type { DeliveryRequest, DeliveryResponse, DeliverySender } from "../domain/webhooks/webhook-dispatcher";
import { isPrivateAddress } from "../domain/webhooks/private-address";

export interface WebhookSenderOptions {
  /** `--allow-private-webhooks`: loopback/private targets and plain http:// are allowed. */
  allowPrivate: boolean;
  /** Connect + answer budget for one attempt. */
  timeoutMs: number;
  /** Name resolution; the system resolver unless a test injects one. */
  lookup?: typeof dnsLookup;
}

const REFUSED_ADDRESS = "the URL resolves to a loopback, private or link-local address; start the server with --allow-private-webhooks to allow it";

/**
 * Delivers webhooks with undici and guards against SSRF (SPEC §15). The address check runs inside
 * the connection's own DNS lookup, so the address that is checked is the address that is
 * connected to: a name that resolves to a public address at creation and to 127.0.0.1 later
 * (DNS rebinding) is refused at delivery. Redirects are not followed.
 */
export class WebhookSender implements DeliverySender {
  readonly #agent: Agent;

  constructor(private readonly options: WebhookSenderOptions) {
    this.#agent = new Agent({
      connect: { lookup: this.guardedLookup(), timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 10_000,
    });
  }

  /** Why this URL may not be a webhook, or undefined: the check at create time. */
  async refusal(url: URL): Promise<string | undefined> {
    if (url.protocol !== "https:" && !(url.protocol === "http:" && this.options.allowPrivate)) {
      return "must be an https:// URL (http:// only on a server started with --allow-private-webhooks)";
    }
    if (this.options.allowPrivate) return undefined;
    const addresses = await this.resolve(url.hostname);
    if (addresses === undefined) return "the URL's host name does not resolve";
    return addresses.some(isPrivateAddress) ? REFUSED_ADDRESS : undefined;
  }

  async send(delivery: DeliveryRequest): Promise<DeliveryResponse> {
    const url = new URL(delivery.url);
    // An IP literal never reaches the lookup below, so it is checked here.
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (!this.options.allowPrivate && isIP(host) && isPrivateAddress(host)) return { statusCode: null, error: "refused: private address" };
    try {
      const answer = await request(url, {
        method: "POST",
        headers: delivery.headers,
        body: delivery.body,
        dispatcher: this.#agent,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await answer.body.dump({ limit: 64 * 1024 });
      return { statusCode: answer.statusCode, error: null };
    } catch (error) {
      return { statusCode: null, error: describeFailure(error) };
    }
  }

  close(): Promise<void> {
    return this.#agent.close();
  }

  private resolve(hostname: string): Promise<string[] | undefined> {
    const host = hostname.replace(/^\[|\]$/g, "");
    if (isIP(host)) return Promise.resolve([host]);
    const lookup = this.options.lookup ?? dnsLookup;
    return new Promise((resolve) => {
      lookup(host, { all: true }, (error, addresses: LookupAddress[]) => resolve(error ? undefined : addresses.map((entry) => entry.address)));
    });
  }

  private guardedLookup(): LookupFunction {
    const lookup = this.options.lookup ?? dnsLookup;
    const allowPrivate = this.options.allowPrivate;
    return (hostname, options, callback) => {
      lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, "", 0);
        if (!allowPrivate && addresses.some((entry) => isPrivateAddress(entry.address))) {
          return callback(Object.assign(new Error("refused: private address"), { code: "KEYWARD_PRIVATE_ADDRESS" }), "", 0);
        }
        if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        const first = addresses[0] as LookupAddress;
        return callback(null, first.address, first.family);
      });
    };
  }
}

/** A few words on why no answer came: a code, never a message that could quote a URL or a body. */
function describeFailure(error: unknown): string {
  const codes: string[] = [];
  for (let cause: unknown = error; cause && typeof cause === "object" && codes.length < 4; cause = (cause as { cause?: unknown }).cause) {
    const { code, name } = cause as { code?: unknown; name?: unknown };
    if (typeof code === "string") codes.push(code);
    else if (name === "TimeoutError" || name === "AbortError") codes.push("TIMEOUT");
  }
  if (codes.includes("KEYWARD_PRIVATE_ADDRESS")) return "refused: private address";
  if (codes.some((code) => code === "TIMEOUT" || code.includes("TIMEOUT"))) return "timeout";
  if (codes.includes("ENOTFOUND") || codes.includes("EAI_AGAIN")) return "host name does not resolve";
  if (codes.includes("ECONNREFUSED")) return "connection refused";
  if (codes.includes("ECONNRESET") || codes.includes("UND_ERR_SOCKET")) return "connection reset";
  return codes.length > 0 ? `connection failed (${codes[0]})` : "connection failed";
}
