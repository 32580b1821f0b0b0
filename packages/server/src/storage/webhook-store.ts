import type { Environment, WebhookEventType } from "@keyward/contract";
import { type Queryable, toDate } from "./database";

export interface WebhookRecord {
  id: string;
  url: string;
  events: WebhookEventType[];
  project: string | null;
  environment: Environment | null;
  /** The signing secret, sealed with a key derived from the pepper (`sealed-signing-secret.ts`). */
  sealedSecret: string;
  createdBy: string | null;
  createdAt: Date;
}

type WebhookRow = Record<string, unknown>;

function webhookFromRow(row: WebhookRow): WebhookRecord {
  return {
    id: row.id as string,
    url: row.url as string,
    events: row.events as WebhookEventType[],
    project: (row.project as string | null) ?? null,
    environment: (row.environment as Environment | null) ?? null,
    sealedSecret: row.sealed_secret as string,
    createdBy: (row.created_by as string | null) ?? null,
    createdAt: toDate(row.created_at),
  };
}

/** Which webhooks a caller may see: a bound token sees only webhooks bound inside its binding. */
export interface WebhookVisibility {
  project: string | null;
  environment: Environment | null;
}

export class WebhookStore {
  constructor(private readonly db: Queryable) {}

  async insert(webhook: WebhookRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO webhooks (id, url, events, project, environment, sealed_secret, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        webhook.id, webhook.url, JSON.stringify(webhook.events), webhook.project, webhook.environment, webhook.sealedSecret,
        webhook.createdBy, webhook.createdAt.toISOString(),
      ],
    );
  }

  async get(id: string): Promise<WebhookRecord | undefined> {
    const [row] = await this.db.query<WebhookRow>("SELECT * FROM webhooks WHERE id = $1", [id]);
    return row && webhookFromRow(row);
  }

  /** By id; `visibility` keeps a bound caller to its own project and environment. */
  async list(options: WebhookVisibility & { only?: string; after?: string; limit: number }): Promise<WebhookRecord[]> {
    const rows = await this.db.query<WebhookRow>(
      `SELECT * FROM webhooks
       WHERE ($1::text IS NULL OR project = $1) AND ($2::text IS NULL OR environment = $2)
         AND ($3::text IS NULL OR project = $3) AND ($4::text IS NULL OR id > $4)
       ORDER BY id LIMIT $5`,
      [options.project, options.environment, options.only ?? null, options.after ?? null, options.limit],
    );
    return rows.map(webhookFromRow);
  }

  /** The webhooks an event of this type, project and environment goes to. */
  async subscribers(type: WebhookEventType, project: string | null, environment: Environment | null): Promise<WebhookRecord[]> {
    const rows = await this.db.query<WebhookRow>(
      `SELECT * FROM webhooks
       WHERE events @> $1::jsonb
         AND (project IS NULL OR project = $2)
         AND (environment IS NULL OR environment = $3)`,
      [JSON.stringify([type]), project, environment],
    );
    return rows.map(webhookFromRow);
  }

  async delete(id: string): Promise<void> {
    await this.db.query("DELETE FROM webhooks WHERE id = $1", [id]);
  }
}
