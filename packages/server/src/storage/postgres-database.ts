import pg from "pg";
import type { Database, Queryable } from "./database";

const RECONNECT_DELAY_MS = 250;

/**
 * A real PostgreSQL server (`--database-url`). Queries share a pool; notifications arrive on one
 * dedicated connection that is re-opened when it drops. Until it is back, `notificationsLive` is
 * false and callers must not trust what they cached.
 */
export async function openPostgresDatabase(connectionString: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max: 10 });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on("error", () => undefined);
  await pool.query("SELECT 1");
  const queryable = (target: pg.Pool | pg.PoolClient): Queryable => ({
    query: async <Row>(sql: string, params: readonly unknown[] = []) => (await target.query(sql, params as unknown[])).rows as Row[],
    script: async (sql: string) => {
      await target.query(sql);
    },
  });
  const listener = new NotificationListener(connectionString);
  return {
    backend: "postgres",
    get notificationsLive() {
      return listener.live;
    },
    ...queryable(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await work(queryable(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    listen: (channel, onMessage, onReset) => listener.add(channel, onMessage, onReset),
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}

interface Subscription {
  channel: string;
  onMessage: (payload: string) => void;
  onReset: () => void;
}

class NotificationListener {
  live = false;
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly connectionString: string) {}

  async add(channel: string, onMessage: (payload: string) => void, onReset: () => void): Promise<() => Promise<void>> {
    const subscription = { channel, onMessage, onReset };
    this.subscriptions.add(subscription);
    await this.ensureConnected();
    await this.client?.query(`LISTEN ${quoteIdentifier(channel)}`);
    return async () => {
      this.subscriptions.delete(subscription);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.live = false;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  private ensureConnected(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on("notification", (message) => {
      for (const subscription of this.subscriptions) {
        if (subscription.channel === message.channel) subscription.onMessage(message.payload ?? "");
      }
    });
    client.on("error", () => this.lost(client));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    for (const channel of new Set([...this.subscriptions].map((s) => s.channel))) {
      await client.query(`LISTEN ${quoteIdentifier(channel)}`);
    }
    this.client = client;
    this.live = true;
  }

  /** Anything may have changed while we were not listening: every subscriber starts afresh. */
  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.live = false;
    this.resetSubscribers();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.retry = setTimeout(() => {
      this.ensureConnected().then(
        () => this.resetSubscribers(),
        () => this.scheduleReconnect(),
      );
    }, RECONNECT_DELAY_MS);
    this.retry.unref();
  }

  private resetSubscribers(): void {
    for (const subscription of this.subscriptions) subscription.onReset();
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
