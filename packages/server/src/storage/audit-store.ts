import type { Environment } from "@keyward/contract";
import { type Queryable, toDate, toNumber } from "./database";

export interface AuditRecord {
  seq: number;
  id: string;
  time: Date;
  actor: string | null;
  action: string;
  target: string | null;
  project: string | null;
  environment: Environment | null;
  sourceIp: string | null;
  requestId: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

type AuditRow = Record<string, unknown>;

function auditFromRow(row: AuditRow): AuditRecord {
  return {
    seq: toNumber(row.seq),
    id: row.id as string,
    time: toDate(row.time),
    actor: (row.actor as string | null) ?? null,
    action: row.action as string,
    target: (row.target as string | null) ?? null,
    project: (row.project as string | null) ?? null,
    environment: (row.environment as Environment | null) ?? null,
    sourceIp: (row.source_ip as string | null) ?? null,
    requestId: row.request_id as string,
    details: (row.details as Record<string, unknown>) ?? {},
    prevHash: row.prev_hash as string,
    hash: row.hash as string,
  };
}

export class AuditStore {
  constructor(private readonly db: Queryable) {}

  /** The chain's head, locked until the transaction ends: appends are strictly one after another. */
  async lockHead(): Promise<AuditHead> {
    const [row] = await this.db.query<AuditRow>("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE");
    return { seq: toNumber(row?.seq), hash: String(row?.hash) };
  }

  async head(): Promise<AuditHead> {
    const [row] = await this.db.query<AuditRow>("SELECT seq, hash FROM audit_head WHERE id = 1");
    return { seq: toNumber(row?.seq), hash: String(row?.hash) };
  }

  async append(event: AuditRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_events (seq, id, time, actor, action, target, project, environment, source_ip, request_id, details, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        event.seq, event.id, event.time.toISOString(), event.actor, event.action, event.target, event.project, event.environment,
        event.sourceIp, event.requestId, JSON.stringify(event.details), event.prevHash, event.hash,
      ],
    );
    await this.db.query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", [event.seq, event.hash]);
  }

  /** `environment` keeps that environment's events and those of no environment (a token bound to it reads those). */
  async list(filter: { project?: string; environment?: Environment; action?: string; since?: Date; afterSeq?: number; limit: number }): Promise<AuditRecord[]> {
    const rows = await this.db.query<AuditRow>(
      `SELECT * FROM audit_events
       WHERE ($1::text IS NULL OR project = $1) AND ($2::text IS NULL OR action = $2)
         AND ($3::timestamptz IS NULL OR time >= $3) AND ($4::bigint IS NULL OR seq > $4)
         AND ($6::text IS NULL OR environment IS NULL OR environment = $6)
       ORDER BY seq LIMIT $5`,
      [filter.project ?? null, filter.action ?? null, filter.since?.toISOString() ?? null, filter.afterSeq ?? null, filter.limit, filter.environment ?? null],
    );
    return rows.map(auditFromRow);
  }

  /** Removes events older than `before`; returns how many and the last one removed (the chain's new anchor). */
  async purge(before: Date): Promise<{ removed: number; last?: AuditRecord }> {
    const [last] = await this.db.query<AuditRow>("SELECT * FROM audit_events WHERE time < $1 ORDER BY seq DESC LIMIT 1", [before.toISOString()]);
    if (!last) return { removed: 0 };
    const removed = await this.db.query("DELETE FROM audit_events WHERE seq <= $1 RETURNING seq", [last.seq]);
    return { removed: removed.length, last: auditFromRow(last) };
  }
}
