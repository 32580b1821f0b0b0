import type { WebhookEventType } from "@keyward/contract";
import { type Queryable, toDate, toDateOrNull } from "./database";

export type DeliveryStatus = "pending" | "succeeded" | "failed";

export interface DeliveryAttemptRecord {
  at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface WebhookMessageRecord {
  id: string;
  type: WebhookEventType;
  project: string | null;
  environment: string | null;
  /** The exact JSON text that is signed and sent; never holds a secret. */
  payload: string;
  createdAt: Date;
}

export interface DeliveryRecord {
  id: string;
  webhookId: string;
  messageId: string;
  event: WebhookEventType;
  status: DeliveryStatus;
  attempts: DeliveryAttemptRecord[];
  nextAttemptAt: Date | null;
  createdAt: Date;
}

/** A claimed delivery with what it takes to send it. */
export interface ClaimedDelivery extends DeliveryRecord {
  url: string;
  sealedSecret: string;
  payload: string;
  messageCreatedAt: Date;
}

type Row = Record<string, unknown>;

function deliveryFromRow(row: Row): DeliveryRecord {
  return {
    id: row.id as string,
    webhookId: row.webhook_id as string,
    messageId: row.message_id as string,
    event: row.type as WebhookEventType,
    status: row.status as DeliveryStatus,
    attempts: (row.attempts as DeliveryAttemptRecord[]) ?? [],
    nextAttemptAt: toDateOrNull(row.next_attempt_at),
    createdAt: toDate(row.created_at),
  };
}

/** The durable delivery queue: rows are written in the transaction of the change they announce. */
export class WebhookDeliveryStore {
  constructor(private readonly db: Queryable) {}

  async insertMessage(message: WebhookMessageRecord): Promise<void> {
    await this.db.query(
      "INSERT INTO webhook_messages (id, type, project, environment, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
      [message.id, message.type, message.project, message.environment, message.payload, message.createdAt.toISOString()],
    );
  }

  async enqueue(delivery: { id: string; webhookId: string; messageId: string; dueAt: Date; createdAt: Date }): Promise<void> {
    await this.db.query(
      `INSERT INTO webhook_deliveries (id, webhook_id, message_id, status, attempts, next_attempt_at, created_at)
       VALUES ($1, $2, $3, 'pending', '[]'::jsonb, $4, $5)`,
      [delivery.id, delivery.webhookId, delivery.messageId, delivery.dueAt.toISOString(), delivery.createdAt.toISOString()],
    );
  }

  /** Whether any delivery is still to be sent (due now, later, or leased to a sender). */
  async anyPending(): Promise<boolean> {
    const [row] = await this.db.query<{ pending: boolean }>("SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE status = 'pending') AS pending");
    return row?.pending === true;
  }

  /**
   * Takes up to `limit` due deliveries and leases them until `leaseUntil`: other instances skip rows
   * locked by a concurrent claim (SKIP LOCKED) and do not see leased ones as due, so no two
   * instances send the same delivery at once; a sender that dies leaves the lease to run out.
   */
  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
    const rows = await this.db.query<Row>(
      `WITH due AS (
         SELECT id FROM webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at LIMIT $3
         FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_deliveries AS d SET next_attempt_at = $2
       FROM due, webhooks AS w, webhook_messages AS m
       WHERE d.id = due.id AND w.id = d.webhook_id AND m.id = d.message_id
       RETURNING d.*, m.type, m.payload, m.created_at AS message_created_at, w.url, w.sealed_secret`,
      [now.toISOString(), leaseUntil.toISOString(), limit],
    );
    return rows.map((row) => ({
      ...deliveryFromRow(row),
      url: row.url as string,
      sealedSecret: row.sealed_secret as string,
      payload: row.payload as string,
      messageCreatedAt: toDate(row.message_created_at),
    }));
  }

  /** Appends an attempt and sets what happens next: done, given up, or due again at `nextAttemptAt`. */
  async recordAttempt(id: string, attempt: DeliveryAttemptRecord, status: DeliveryStatus, nextAttemptAt: Date | null): Promise<void> {
    await this.db.query(
      `UPDATE webhook_deliveries SET attempts = attempts || $2::jsonb, status = $3, next_attempt_at = $4
       WHERE id = $1 AND status = 'pending'`,
      [id, JSON.stringify([attempt]), status, nextAttemptAt?.toISOString() ?? null],
    );
  }

  /** A webhook's deliveries, newest first; `before` is the last row of the previous page. */
  async list(webhookId: string, options: { status?: DeliveryStatus; before?: { createdAt: Date; id: string }; limit: number }): Promise<DeliveryRecord[]> {
    const rows = await this.db.query<Row>(
      `SELECT d.*, m.type FROM webhook_deliveries AS d JOIN webhook_messages AS m ON m.id = d.message_id
       WHERE d.webhook_id = $1 AND ($2::text IS NULL OR d.status = $2)
         AND ($3::timestamptz IS NULL OR (d.created_at, d.id) < ($3::timestamptz, $4::text))
       ORDER BY d.created_at DESC, d.id DESC LIMIT $5`,
      [webhookId, options.status ?? null, options.before?.createdAt.toISOString() ?? null, options.before?.id ?? null, options.limit],
    );
    return rows.map(deliveryFromRow);
  }

  /** Data retention: finished deliveries and the messages no delivery refers to any more. */
  async purgeFinished(before: Date): Promise<number> {
    const rows = await this.db.query("DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1 RETURNING id", [before.toISOString()]);
    await this.db.query("DELETE FROM webhook_messages AS m WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries AS d WHERE d.message_id = m.id)");
    return rows.length;
  }
}
