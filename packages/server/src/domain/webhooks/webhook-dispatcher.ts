import { Webhook } from "standardwebhooks";
import type { Storage } from "../../storage/storage";
import type { ClaimedDelivery, DeliveryAttemptRecord } from "../../storage/webhook-delivery-store";
import type { Clock } from "../clock";
import type { Pepper } from "../pepper";
import type { RandomSource } from "../random-source";
import { nextAttemptAt, type RetrySchedule } from "./retry-schedule";
import { openSigningSecret } from "./sealed-signing-secret";

/** One signed POST. The sender refuses private addresses itself, at connect time (DNS rebinding). */
export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface DeliveryResponse {
  /** The receiver's status, or null when no answer came. */
  statusCode: number | null;
  /** Why no answer came, in a few words; never a body. */
  error: string | null;
}

export interface DeliverySender {
  send(request: DeliveryRequest): Promise<DeliveryResponse>;
}

export interface DispatcherOptions {
  storage: Storage;
  pepper: Pepper;
  clock: Clock;
  random: RandomSource;
  sender: DeliverySender;
  retry: RetrySchedule;
  /** How long a claimed delivery is reserved for this instance; must exceed the sender's timeout. */
  leaseMs: number;
  /** How often the queue is polled when nothing wakes the dispatcher (events queued by other instances, retries). */
  pollMs: number;
  /**
   * Every delivery is queued by this process, which then calls `wake` (the embedded database has
   * one writer): once nothing is pending the dispatcher stops polling until woken. With several
   * instances on one database it must keep polling (another's queue, a dead sender's lease).
   */
  queuedHereOnly?: boolean;
  batchSize?: number;
  userAgent: string;
  onError(error: unknown): void;
}

/**
 * Sends queued webhook deliveries, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256>`, signed by the `standardwebhooks` library). At least
 * once: a delivery is leased, sent, then recorded; a crash between send and record sends it again
 * with the same `webhook-id`, so receivers can drop the duplicate. Instances sharing one database
 * never send the same delivery at the same time (claims use SKIP LOCKED and a lease).
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  /** Nothing was pending at the last look and only `wake` can change that (`queuedHereOnly`). */
  private empty = false;

  constructor(private readonly options: DispatcherOptions) {}

  start(): void {
    this.schedule(0);
  }

  /** Deliveries were queued: look now rather than at the next poll. */
  wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /** True while no poll is scheduled because nothing is pending: the next `wake` starts one. */
  get idle(): boolean {
    return this.empty && this.running === undefined && !this.closed;
  }

  /** Stops polling and waits for the sends in flight to be recorded. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Claims and sends one batch; answers how many deliveries it handled. */
  async runOnce(): Promise<number> {
    const { storage, clock, leaseMs } = this.options;
    const batchSize = this.options.batchSize ?? 16;
    const now = clock();
    const claimed = await storage.stores.deliveries.claimDue(now, new Date(now.getTime() + leaseMs), batchSize);
    // A delivery that fails to be sent or recorded keeps its lease and comes back when it runs out.
    await Promise.all(claimed.map((delivery) => this.deliver(delivery).catch((error: unknown) => this.options.onError(error))));
    return claimed.length;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.running = this.drain().finally(() => {
        this.running = undefined;
        const again = this.again;
        this.again = false;
        if (again) this.schedule(0);
        else if (!this.empty) this.schedule(this.options.pollMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    const batchSize = this.options.batchSize ?? 16;
    this.empty = false;
    try {
      while (!this.closed && (await this.runOnce()) === batchSize) {
        // a full batch: there may be more due
      }
      // A wake during this look sets `again`, so a delivery queued meanwhile is not missed.
      if (this.options.queuedHereOnly && !this.closed) this.empty = !(await this.options.storage.stores.deliveries.anyPending());
    } catch (error) {
      this.options.onError(error);
    }
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const { clock, pepper, sender } = this.options;
    const startedAt = clock();
    const secret = openSigningSecret(pepper, delivery.webhookId, delivery.sealedSecret);
    const signature = new Webhook(secret.reveal()).sign(delivery.messageId, startedAt, delivery.payload);
    const started = performance.now();
    const response = await sender.send({
      url: delivery.url,
      body: delivery.payload,
      headers: {
        "content-type": "application/json",
        "user-agent": this.options.userAgent,
        "webhook-id": delivery.messageId,
        "webhook-timestamp": String(Math.floor(startedAt.getTime() / 1000)),
        "webhook-signature": signature,
      },
    });
    const attempt: DeliveryAttemptRecord = {
      at: startedAt.toISOString(),
      status_code: response.statusCode,
      error: response.error,
      duration_ms: Math.max(0, Math.round(performance.now() - started)),
    };
    await this.record(delivery, attempt);
  }

  private async record(delivery: ClaimedDelivery, attempt: DeliveryAttemptRecord): Promise<void> {
    const { clock, random, retry, storage } = this.options;
    const succeeded = attempt.status_code !== null && attempt.status_code >= 200 && attempt.status_code < 300;
    if (succeeded) {
      await storage.stores.deliveries.recordAttempt(delivery.id, attempt, "succeeded", null);
      return;
    }
    const fraction = Buffer.from(random(4)).readUInt32BE(0) / 2 ** 32;
    const next = nextAttemptAt(retry, delivery.attempts.length + 1, delivery.createdAt, clock(), fraction);
    await storage.stores.deliveries.recordAttempt(delivery.id, attempt, next ? "pending" : "failed", next ?? null);
  }
}
