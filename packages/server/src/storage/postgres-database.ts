import { randomUUID } from "node:crypto";
import pg from "pg";
import { ConnectionHealth } from "./connection-health";
import type { Database, Queryable } from "./database";
import { isConnectionFault } from "./database-error";

/** SPEC §11: a heartbeat NOTIFY every 200 ms; a channel that delivered none for 500 ms is not trusted. */
export interface HeartbeatTiming {
  everyMs: number;
  staleAfterMs: number;
}
export const HEARTBEAT: HeartbeatTiming = { everyMs: 200, staleAfterMs: 500 };

const HEARTBEAT_CHANNEL = "keyward_heartbeat";
/** A LISTEN connection that stays silent this long while queries work is stalled: it is replaced. */
const STALLED_AFTER_MS = 2_000;
const FIRST_RECONNECT_MS = 100;
const LONGEST_RECONNECT_MS = 2_000;

/**
 * A real PostgreSQL server (`--database-url`). Queries share a pool; notifications arrive on one
 * dedicated connection that is re-opened when it drops or stalls. Faults never escape as driver
 * errors or 'error' events: `ConnectionHealth` turns them into `DatabaseUnavailableError` and
 * reconnects with backoff.
 */
export async function openPostgresDatabase(connectionString: string, heartbeat: HeartbeatTiming = HEARTBEAT): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 2_000, keepAlive: true });
  // A client losing its server emits 'error' whether it is idle or checked out (mid-transaction);
  // unheard, that event would end the process. The statement in flight, if any, fails on its own.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  const health = new ConnectionHealth(async () => {
    await pool.query("SELECT 1");
  });
  await health.run(() => pool.query("SELECT 1"));
  const queryable = (target: pg.Pool | pg.PoolClient): Queryable => ({
    query: async <Row>(sql: string, params: readonly unknown[] = []) => (await health.run(() => target.query(sql, params as unknown[]))).rows as Row[],
    script: async (sql: string) => {
      await health.run(() => target.query(sql));
    },
  });
  const listener = new NotificationListener(connectionString, heartbeat, (payload) =>
    health.run(() => pool.query("SELECT pg_notify($1, $2)", [HEARTBEAT_CHANNEL, payload])).then(() => undefined),
  );
  return {
    backend: "postgres",
    get notificationsLive() {
      return listener.live;
    },
    ...queryable(pool),
    transaction: (work) =>
      health.run(async () => {
        const client = await pool.connect();
        let broken = false;
        try {
          await client.query("BEGIN");
          const result = await work(queryable(client));
          await client.query("COMMIT");
          return result;
        } catch (error) {
          broken = isConnectionFault(error);
          await client.query("ROLLBACK").catch(() => {
            broken = true;
          });
          throw error;
        } finally {
          // A client whose connection failed is destroyed, not handed to the next request.
          client.release(broken);
        }
      }),
    listen: (channel, onMessage, onReset) => listener.add(channel, onMessage, onReset),
    async close() {
      health.close();
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

/**
 * The LISTEN connection. It trusts itself only while it keeps receiving its own heartbeats: this
 * instance NOTIFYs `keyward_heartbeat` through the pool every `everyMs`, and PostgreSQL delivers
 * notifications in commit order, so receiving a heartbeat sent at time T proves every change
 * committed before T has been delivered too. A dropped connection is noticed by its 'end' event; a
 * silent stall (socket open, nothing delivered) only by the missing heartbeat, which is why there
 * is one (SPEC §11).
 */
class NotificationListener {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private reconnectAttempt = 0;
  private readonly instance = randomUUID();
  /** performance.now() at which the newest heartbeat we received was sent. */
  private provenAt = Number.NEGATIVE_INFINITY;
  private connectedAt = 0;
  private wasLive = false;
  private readonly beat: NodeJS.Timeout;
  private readonly watchdog: NodeJS.Timeout;

  constructor(
    private readonly connectionString: string,
    private readonly timing: HeartbeatTiming,
    private readonly sendHeartbeat: (payload: string) => Promise<void>,
  ) {
    this.beat = setInterval(() => this.heartbeat(), timing.everyMs);
    this.beat.unref();
    this.watchdog = setInterval(() => this.watch(), Math.max(10, Math.floor(timing.everyMs / 2)));
    this.watchdog.unref();
  }

  /** True while this connection is proven to deliver: a heartbeat sent within `staleAfterMs` arrived. */
  get live(): boolean {
    return this.client !== undefined && performance.now() - this.provenAt <= this.timing.staleAfterMs;
  }

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
    clearInterval(this.beat);
    clearInterval(this.watchdog);
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private heartbeat(): void {
    if (!this.client) return;
    this.sendHeartbeat(`${this.instance}:${performance.now()}`).catch(() => undefined);
  }

  /** Drops every cache the moment the channel stops being proven, and replaces a stalled connection. */
  private watch(): void {
    const live = this.live;
    if (this.wasLive && !live) this.resetSubscribers();
    this.wasLive = live;
    const client = this.client;
    if (!client || live) return;
    const silentFor = performance.now() - Math.max(this.provenAt, this.connectedAt);
    if (silentFor > STALLED_AFTER_MS) this.replace(client);
  }

  private received(client: pg.Client, message: pg.Notification): void {
    if (message.channel === HEARTBEAT_CHANNEL) {
      const [instance, sentAt] = (message.payload ?? "").split(":");
      if (instance === this.instance && client === this.client) this.provenAt = Math.max(this.provenAt, Number(sentAt));
      return;
    }
    for (const subscription of this.subscriptions) {
      if (subscription.channel === message.channel) subscription.onMessage(message.payload ?? "");
    }
  }

  private ensureConnected(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: 2_000, keepAlive: true });
    client.on("notification", (message) => this.received(client, message));
    client.on("error", () => this.lost(client));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      const channels = new Set([HEARTBEAT_CHANNEL, ...[...this.subscriptions].map((s) => s.channel)]);
      for (const channel of channels) await client.query(`LISTEN ${quoteIdentifier(channel)}`);
    } catch (error) {
      void client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.connectedAt = performance.now();
    this.provenAt = Number.NEGATIVE_INFINITY;
    this.reconnectAttempt = 0;
    this.heartbeat();
  }

  /** A connection that is open but delivers nothing: let it go and open another. */
  private replace(client: pg.Client): void {
    this.lost(client);
    const socket = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
    socket?.destroy();
    void client.end().catch(() => undefined);
  }

  /** Anything may have changed while we were not listening: every subscriber starts afresh. */
  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.resetSubscribers();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const delay = Math.min(FIRST_RECONNECT_MS * 2 ** this.reconnectAttempt, LONGEST_RECONNECT_MS);
    this.retry = setTimeout(() => {
      this.ensureConnected().then(
        () => this.resetSubscribers(),
        () => {
          this.reconnectAttempt += 1;
          this.scheduleReconnect();
        },
      );
    }, delay);
    this.retry.unref();
  }

  private resetSubscribers(): void {
    for (const subscription of this.subscriptions) subscription.onReset();
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
