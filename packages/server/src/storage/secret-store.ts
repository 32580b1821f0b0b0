import type { Environment, RateLimit, VerifiableKey, VerifiableSecret } from "@keyward/contract";
import { type Queryable, toDate, toDateOrNull, toNumber } from "./database";
import { textArray } from "./binary-array";
import { KEY_LAST_USE_JOIN, type KeyRecord, keyFromRow } from "./key-store";
import type { LastUse } from "./last-use-store";

/** One issued secret of a key, known only by its digest. */
export interface SecretRecord {
  digest: string;
  keyId: string;
  version: number;
  hint: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  /** SPEC §18: this secret's own last verification and its source IP. */
  lastUsedAt?: Date | null;
  lastUsedIp?: string | null;
  /** The previous secret's grace period, started by this secret's first successful verification; null once started. */
  graceAfterFirstUseMs?: number | null;
  /** For a replaced secret: when its grace period started; null while it waits for the new secret's first use. */
  graceStartedAt?: Date | null;
}

/** The uses of a secret, as the usage recorder gathers them: the latest, and the first successful one. */
export interface SecretUse extends LastUse {
  /** The first successful verification among these, which starts a grace waiting for first use; null for none. */
  firstValidAt: Date | null;
}

/** A replaced secret whose grace period a new secret's first use started (SPEC §18). */
export interface GraceStart {
  keyId: string;
  project: string;
  environment: Environment;
  /** The replaced secret. */
  version: number;
  /** The secret whose first successful verification started it. */
  byVersion: number;
  startedAt: Date;
  /** When the replaced secret now stops verifying. */
  expiresAt: Date | null;
}

type SecretRow = Record<string, unknown>;

/** A secret that can verify, with only what verification reads of its key. */
export interface VerifiableSecretRecord {
  digest: string;
  key: VerifiableKey;
  secret: VerifiableSecret & { readonly version: number };
}

/** What verification reads of a secret (`s`) and its key (`k`), as one JSON array (see `verifiableOf`). */
const VERIFIABLE_ARRAY = `json_build_array(s.digest, s.version, s.expires_at, s.revoked_at, k.id, k.name, k.project, k.environment, k.scopes,
  k.metadata, k.expires_at, k.revoked_at, k.ip_allowlist, k.rate_limit)`;

type VerifiableRow = [
  digest: string,
  version: number,
  secretExpiresAt: string | null,
  secretRevokedAt: string | null,
  id: string,
  name: string,
  project: string,
  environment: Environment,
  scopes: string[],
  metadata: Record<string, string>,
  expiresAt: string | null,
  revokedAt: string | null,
  ipAllowlist: string[] | null,
  rateLimit: RateLimit | null,
];

/**
 * The records of a JSON array of `VERIFIABLE_ARRAY`s. One text value a statement: the driver then
 * decodes one column instead of a dozen a row, which cost more than the statement itself.
 */
function verifiableOf(text: string | null): VerifiableSecretRecord[] {
  const rows = text ? (JSON.parse(text) as VerifiableRow[]) : [];
  return rows.map(([digest, version, secretExpiresAt, secretRevokedAt, id, name, project, environment, scopes, metadata, expiresAt, revokedAt, ipAllowlist, rateLimit]) => ({
    digest,
    key: { id, name, project, environment, scopes, metadata, expiresAt: toDateOrNull(expiresAt), revokedAt: toDateOrNull(revokedAt), ipAllowlist, rateLimit },
    secret: { version, expiresAt: toDateOrNull(secretExpiresAt), revokedAt: toDateOrNull(secretRevokedAt) },
  }));
}

const PAGE = 20_000;

const LOOKUP = `SELECT s.digest AS s_digest, s.key_id AS s_key_id, s.version AS s_version, s.hint AS s_hint, s.expires_at AS s_expires_at,
       s.revoked_at AS s_revoked_at, s.created_at AS s_created_at, k.*, last_use.*
  FROM key_secrets s JOIN api_keys k ON k.id = s.key_id ${KEY_LAST_USE_JOIN}`;

function secretFromRow(row: SecretRow, prefix = ""): SecretRecord {
  const get = (column: string) => row[prefix + column];
  return {
    digest: get("digest") as string,
    keyId: get("key_id") as string,
    version: toNumber(get("version")),
    hint: get("hint") as string,
    expiresAt: toDateOrNull(get("expires_at")),
    revokedAt: toDateOrNull(get("revoked_at")),
    createdAt: toDate(get("created_at")),
    lastUsedAt: toDateOrNull(get("last_used_at") ?? null),
    lastUsedIp: (get("last_used_ip") as string | null | undefined) ?? null,
    graceStartedAt: toDateOrNull(get("grace_started_at") ?? null),
    graceAfterFirstUseMs: get("grace_after_first_use_ms") == null ? null : toNumber(get("grace_after_first_use_ms")),
  };
}

export class SecretStore {
  constructor(private readonly db: Queryable) {}

  /** Also remembers the digest for good: a client-supplied secret may never repeat one (SPEC §13). */
  async insert(secret: SecretRecord): Promise<void> {
    await this.db.query("INSERT INTO used_secret_digests (digest, created_at) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING", [
      secret.digest,
      secret.createdAt.toISOString(),
    ]);
    await this.db.query(
      "INSERT INTO key_secrets (digest, key_id, version, hint, expires_at, revoked_at, created_at, grace_after_first_use_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      [
        secret.digest,
        secret.keyId,
        secret.version,
        secret.hint,
        secret.expiresAt?.toISOString() ?? null,
        secret.revokedAt?.toISOString() ?? null,
        secret.createdAt.toISOString(),
        secret.graceAfterFirstUseMs ?? null,
      ],
    );
  }

  /** True when any key ever held a secret with this digest, current, previous, revoked or purged. */
  async everIssued(digest: string): Promise<boolean> {
    const rows = await this.db.query("SELECT 1 FROM used_secret_digests WHERE digest = $1 UNION ALL SELECT 1 FROM key_secrets WHERE digest = $1 LIMIT 1", [digest]);
    return rows.length > 0;
  }

  /** Newest first. */
  async listForKey(keyId: string): Promise<SecretRecord[]> {
    const rows = await this.db.query<SecretRow>(
      `SELECT s.*, l.at AS last_used_at, l.ip AS last_used_ip FROM key_secrets AS s
       LEFT JOIN key_last_uses AS l ON l.key_id = s.key_id AND l.version = s.version
       WHERE s.key_id = $1 ORDER BY s.version DESC`,
      [keyId],
    );
    return rows.map((row) => secretFromRow(row));
  }

  async update(secret: SecretRecord): Promise<void> {
    await this.db.query("UPDATE key_secrets SET expires_at = $2, revoked_at = $3, grace_started_at = $4 WHERE digest = $1", [
      secret.digest,
      secret.expiresAt?.toISOString() ?? null,
      secret.revokedAt?.toISOString() ?? null,
      secret.graceStartedAt?.toISOString() ?? null,
    ]);
  }

  async revokeAll(keyId: string, at: Date): Promise<void> {
    await this.db.query("UPDATE key_secrets SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL", [keyId, at.toISOString()]);
  }

  /**
   * SPEC §18 `grace_starts = "on_first_use"`: a new secret's first successful verification ends the
   * previous secret's validity one grace period later (never later than the cap it already has).
   * Answers each previous secret whose grace this started, so its key's cache entries are evicted
   * and the start is audited. Only secrets still waiting for a first use are looked at (a partial
   * index of them), so the cost follows those, not every secret verified.
   */
  async startGraceOnFirstUse(uses: readonly SecretUse[]): Promise<GraceStart[]> {
    if (!uses.some((use) => use.firstValidAt) || !(await this.anyAwaitsFirstUse())) return [];
    const first = uses.flatMap((use) => (use.firstValidAt ? [{ ...use, at: use.firstValidAt }] : []));
    const started = await this.db.query<Record<string, unknown>>(
      `WITH used AS (
         SELECT u.key_id, u.version, min(u.at) AS at FROM unnest($1::text[], $2::integer[], $3::timestamptz[]) AS u (key_id, version, at)
         GROUP BY u.key_id, u.version
       ), pending AS (
         SELECT s.digest, s.key_id, s.version, used.at, used.at + s.grace_after_first_use_ms * interval '1 millisecond' AS ends
         FROM key_secrets s JOIN used ON s.key_id = used.key_id AND s.version = used.version
         WHERE s.grace_after_first_use_ms IS NOT NULL AND s.revoked_at IS NULL
       ), fresh AS (
         UPDATE key_secrets AS s SET grace_after_first_use_ms = NULL FROM pending WHERE s.digest = pending.digest
         RETURNING pending.key_id, pending.version, pending.at, pending.ends
       )
       UPDATE key_secrets AS p SET expires_at = LEAST(p.expires_at, fresh.ends), grace_started_at = fresh.at
       FROM fresh JOIN api_keys AS k ON k.id = fresh.key_id
       WHERE p.key_id = fresh.key_id AND p.version < fresh.version AND p.revoked_at IS NULL
       RETURNING p.key_id, k.project, k.environment, p.version, fresh.version AS by_version, fresh.at AS started_at, p.expires_at`,
      [first.map((use) => use.keyId), first.map((use) => use.version), first.map((use) => use.at.toISOString())],
    );
    return started.map((row) => ({
      keyId: row.key_id as string,
      project: row.project as string,
      environment: row.environment as Environment,
      version: toNumber(row.version),
      byVersion: toNumber(row.by_version),
      startedAt: toDate(row.started_at),
      expiresAt: toDateOrNull(row.expires_at),
    }));
  }

  /**
   * Whether any secret waits for its first use, from the partial index of those: when none does (as
   * almost always), a flush of thousands of first uses skips sending them all to be matched.
   */
  private async anyAwaitsFirstUse(): Promise<boolean> {
    const [row] = await this.db.query<{ waiting: boolean }>("SELECT EXISTS (SELECT 1 FROM key_secrets WHERE grace_after_first_use_ms IS NOT NULL) AS waiting");
    return row?.waiting === true;
  }

  /**
   * Every stored digest, for the verify path's index of them (SPEC §16: unknown secrets never reach
   * the database). Read in pages of one aggregated string each: a row per digest costs the embedded
   * database far more than the digest itself.
   */
  async allDigests(): Promise<string[]> {
    const digests: string[] = [];
    for (let after = ""; ; ) {
      const [row] = await this.db.query<{ digests: string | null }>(
        "SELECT string_agg(digest, ',' ORDER BY digest) AS digests FROM (SELECT digest FROM key_secrets WHERE digest > $1 ORDER BY digest LIMIT $2) AS page",
        [after, PAGE],
      );
      const page = row?.digests ? row.digests.split(",") : [];
      digests.push(...page);
      if (page.length < PAGE) return digests;
      after = page[page.length - 1] as string;
    }
  }

  async digestsOf(keyId: string): Promise<string[]> {
    const rows = await this.db.query<{ digest: string }>("SELECT digest FROM key_secrets WHERE key_id = $1", [keyId]);
    return rows.map((row) => row.digest);
  }

  /**
   * Up to `limit` secrets that can still verify, with what verification reads of their keys: what a
   * starting server caches. Paged by digest, each page one JSON array (see `allDigests`).
   */
  async verifiable(limit: number, now: Date): Promise<VerifiableSecretRecord[]> {
    const found: VerifiableSecretRecord[] = [];
    for (let after = ""; found.length < limit; ) {
      const [row] = await this.db.query<{ page: string | null }>(
        `SELECT json_agg(v ORDER BY digest)::text AS page
         FROM (SELECT s.digest, ${VERIFIABLE_ARRAY} AS v
               FROM key_secrets s JOIN api_keys k ON k.id = s.key_id
               WHERE s.digest > $1 AND s.revoked_at IS NULL AND k.revoked_at IS NULL AND (s.expires_at IS NULL OR s.expires_at > $3)
               ORDER BY s.digest LIMIT $2) AS page`,
        [after, Math.min(PAGE, limit - found.length), now.toISOString()],
      );
      const page = verifiableOf(row?.page ?? null);
      for (const record of page) found.push(record);
      if (page.length === 0 || page.length < PAGE) return found;
      after = found[found.length - 1]?.digest as string;
    }
    return found;
  }

  /** A secret with its key, by digest, as every other read gives them. */
  async lookup(digest: string): Promise<FoundSecret | undefined> {
    const [row] = await this.db.query<SecretRow>(`${LOOKUP} WHERE s.digest = $1`, [digest]);
    if (!row) return undefined;
    return { key: keyFromRow(row), secret: secretFromRow(row, "s_") };
  }

  /**
   * The verify path's one query: what verification reads of a secret and its key (as `verifiable`
   * gives them, revoked or expired too), by digest. Lookups asked in the same turn of the event
   * loop go to the database as one statement (see `#lookUpWaiting`).
   */
  findVerifiable(digest: string): Promise<VerifiableSecretRecord | undefined> {
    const waiting = this.#waiting.get(digest);
    if (waiting) return waiting.found;
    if (this.#waiting.size === 0) setImmediate(() => this.#lookUpWaiting());
    const lookup = {} as WaitingLookup;
    lookup.found = new Promise((resolve, reject) => Object.assign(lookup, { resolve, reject }));
    this.#waiting.set(digest, lookup);
    return lookup.found;
  }

  /** Lookups not yet sent, one per digest however many callers ask for it. */
  readonly #waiting = new Map<string, WaitingLookup>();

  /**
   * Sends the waiting lookups, `LOOKUP_SLICE` digests a statement, each answering one JSON text.
   * A statement costs the embedded database about the same whether it finds one secret or a few
   * dozen, and decoding a row's columns in its driver cost more than the statement (see DESIGN.md),
   * so a flood of verifications of keys the cache does not hold costs a fraction of a lookup each.
   * A failed statement fails the lookups it carried, as their own statements would have.
   */
  #lookUpWaiting(): void {
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (let from = 0; from < waiting.length; from += LOOKUP_SLICE) {
      const slice = waiting.slice(from, from + LOOKUP_SLICE);
      this.db
        .query<{ found: string | null }>(
          `SELECT json_agg(${VERIFIABLE_ARRAY})::text AS found FROM key_secrets s JOIN api_keys k ON k.id = s.key_id WHERE s.digest = ANY($1::text[])`,
          [textArray(slice.map(([digest]) => digest))],
        )
        .then(
          ([row]) => {
            const found = new Map(verifiableOf(row?.found ?? null).map((record) => [record.digest, record]));
            for (const [digest, { resolve }] of slice) resolve(found.get(digest));
          },
          (error: unknown) => {
            for (const [, { reject }] of slice) reject(error);
          },
        );
    }
  }
}

interface WaitingLookup {
  found: Promise<VerifiableSecretRecord | undefined>;
  resolve: (found: VerifiableSecretRecord | undefined) => void;
  reject: (error: unknown) => void;
}

export interface FoundSecret {
  key: KeyRecord;
  secret: SecretRecord;
}

/** Digests a lookup statement carries at most: beyond a few dozen, a statement costs its secrets about the same each. */
const LOOKUP_SLICE = 64;
