import { createHmac } from "node:crypto";
import {
  checkInput,
  type Environment,
  hasValidChecksum,
  isPlainVerifyCheck,
  isPlainVerifyRequest,
  judgeVerification,
  KEY_SECRET_PATTERN,
  NOT_FOUND_ANSWER,
  type RateLimitOutcome,
  routes,
  Secret,
  summarizeIssues,
  type TakeRateLimit,
  type VerifiableKey,
  type VerifiableSecret,
  type VerificationCode,
  verificationAnswer,
  VerifierKey,
  VerifierSnapshot,
  type VerifierUsageReport,
  VerifyRequest,
  type VerifyResponse,
} from "@keyward/contract";
import { BadRequestError, KeywardError, UnavailableError } from "./keyward-error";
import { serverSentEvents } from "./server-sent-events";
import type { Transport } from "./transport";

export interface VerifierOptions {
  /** The project whose keys this verifier checks; a key of any other project verifies as `NOT_FOUND`. */
  readonly project: string;
  /** Only this environment's keys. @default both (within the token's binding) */
  readonly environment?: Environment;
  /**
   * What to do while the snapshot is not trusted (the change stream silent for over `staleAfterMs`):
   * `http` asks `POST /v1/verify`; `fail-closed` throws an `UnavailableError` (code `UNAVAILABLE`).
   * A trusted snapshot that cannot answer alone (a key with a rate limit, or a secret issued before
   * verifier digests existed) is always asked of the server by `verify()`.
   * @default "http"
   */
  readonly onStale?: "http" | "fail-closed";
  /** SPEC §16: a snapshot is trusted only while a heartbeat arrived within this time; at most 1000. @default 1000 */
  readonly staleAfterMs?: number;
  /** How often counted verifications are reported to the server. @default 1000 */
  readonly usageReportMs?: number;
  /** Judges expiry and rate-limit windows; tests pass the server's clock. @default the system clock */
  readonly clock?: () => Date;
}

export type VerifierCheck = Pick<VerifyRequest, "scopes" | "ip">;

/** Where a verifier stands: `live` answers from its snapshot; `stale` asks the server or fails closed. */
export type VerifierState = "live" | "stale" | "closed";

interface Entry {
  readonly key: VerifiableKey;
  readonly secret: VerifiableSecret;
  /** The secret's version, which usage reports name (SPEC §18: its last use, a grace that starts at first use). */
  readonly version: number;
}

/** One secret's verifications since the last report. */
interface UsageTally {
  readonly keyId: string;
  readonly version: number;
  counts: Partial<Record<VerificationCode, number>>;
  /** The first that answered VALID: a grace waiting for this secret's first use starts then, not at the report. */
  firstValidAt: Date | null;
  lastAt: Date;
  lastIp: string | null;
}

/** Why the snapshot gives no answer: it is closed, not trusted, or only the server can answer this secret. */
type Deferral = "closed" | "stale" | "undigested" | "rate-limited";

const DEFERRAL_REASONS: Readonly<Record<Deferral, string>> = {
  closed: "the verifier is closed",
  stale: "its change stream has been silent too long to trust the snapshot",
  undigested: "a secret issued before verifier digests existed needs the server",
  "rate-limited": "a key with a rate limit is counted by the server, cluster-wide",
};

/**
 * A key's rate limit is one count shared by the server's instances and every verifier (SPEC §16),
 * so a verification that reaches it is the server's to answer: the rules ask for a spend, and this
 * outcome marks that they did.
 */
const SERVER_COUNTS: RateLimitOutcome = Object.freeze({ allowed: false, limit: 0, remaining: 0, reset: 0 });
const serverCounts: TakeRateLimit = () => SERVER_COUNTS;

const FIRST_HEARTBEAT_WAIT_MS = 2_000;
/** Secrets of known keys whose digest is remembered; the oldest is forgotten first. */
const REMEMBERED_SECRETS = 4_096;
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/**
 * Verifies API keys inside this process (SPEC §16): a snapshot of the project's keys, each secret
 * known only by its verifier digest, kept current by the server's change stream. It answers exactly
 * what `POST /v1/verify` answers, judged by the same rules (`judgeVerification` of the contract).
 *
 * A key with a rate limit is asked of the server whenever a verification reaches the limit (the
 * other rules passed): its count is shared cluster-wide, so only the server can answer it exactly.
 * Verifications answered here are reported to the server every `usageReportMs` as usage, per secret.
 *
 * ```ts
 * const verifier = await keyward.verifier({ project: "billing-api", environment: "live" });
 * const answer = verifier.verifySync(presentedKey, { scopes: ["invoices:read"], ip: request.ip });
 * ```
 */
export class Verifier {
  readonly #transport: Transport;
  readonly #options: Required<Omit<VerifierOptions, "environment">> & { environment: Environment | undefined };
  #verifierKey: Buffer = Buffer.alloc(0);
  readonly #keys = new Map<string, readonly string[]>();
  readonly #byDigest = new Map<string, Entry>();
  /**
   * The verifier digest of recently presented secrets that belong to a key, so the same key
   * presented again costs a map lookup instead of a checksum and an HMAC. Bounded; it holds only
   * secrets this process was handed to verify anyway, and never one of an unknown key (a flood
   * of made-up keys cannot churn it).
   */
  readonly #rememberedDigests = new Map<string, string>();
  /** Secrets without a verifier digest, per key, and their sum. */
  readonly #undigestedOf = new Map<string, number>();
  #undigested = 0;
  #cursor: string | undefined;
  /** performance.now() of the newest heartbeat; -Infinity until the first. */
  #heardAt = Number.NEGATIVE_INFINITY;
  #lastByteAt = 0;
  #closed = false;
  #connection: AbortController | undefined;
  #usage = new Map<Entry, UsageTally>();
  #reporting: Promise<void> = Promise.resolve();
  readonly #timers: NodeJS.Timeout[] = [];
  #following: Promise<void> = Promise.resolve();
  #firstHeartbeat: (() => void) | undefined;
  /** Ends the reconnect backoff early, on close. */
  #wake: (() => void) | undefined;

  private constructor(transport: Transport, options: VerifierOptions) {
    this.#transport = transport;
    this.#options = {
      project: options.project,
      environment: options.environment,
      onStale: options.onStale ?? "http",
      staleAfterMs: options.staleAfterMs ?? 1_000,
      usageReportMs: options.usageReportMs ?? 1_000,
      clock: options.clock ?? systemClock(),
    };
  }

  /** Loads the snapshot, opens the change stream and waits (briefly) for its first heartbeat. */
  static async open(transport: Transport, options: VerifierOptions): Promise<Verifier> {
    if (options.onStale !== undefined && options.onStale !== "http" && options.onStale !== "fail-closed") {
      throw new TypeError(`Invalid onStale '${String(options.onStale)}'. Expected "http" or "fail-closed".`);
    }
    for (const [name, value, most] of [["staleAfterMs", options.staleAfterMs, 1_000], ["usageReportMs", options.usageReportMs, 3_600_000]] as const) {
      if (value !== undefined && !(Number.isFinite(value) && value > 0 && value <= most)) {
        throw new TypeError(`Invalid ${name} '${value}'. Expected a number of milliseconds above 0 and at most ${most}${name === "staleAfterMs" ? " (SPEC §16: a silent stream is distrusted after 1 s)" : ""}.`);
      }
    }
    const verifier = new Verifier(transport, options);
    const { data } = await transport.call(routes.getVerifierSnapshot, { query: verifier.#scopeQuery() });
    verifier.#load(data);
    const heard = new Promise<void>((resolve) => {
      verifier.#firstHeartbeat = resolve;
      setTimeout(resolve, FIRST_HEARTBEAT_WAIT_MS).unref();
    });
    verifier.#following = verifier.#follow();
    verifier.#timers.push(setInterval(() => verifier.#watch(), 100), setInterval(() => void verifier.#report(), verifier.#options.usageReportMs));
    for (const timer of verifier.#timers) timer.unref();
    await heard;
    return verifier;
  }

  get state(): VerifierState {
    if (this.#closed) return "closed";
    return this.#live() ? "live" : "stale";
  }

  /** How many keys the snapshot holds. */
  get size(): number {
    return this.#keys.size;
  }

  /**
   * Answers from the snapshot, synchronously (the fast path). Throws `UnavailableError` while the
   * snapshot is not trusted, or when it cannot answer alone (a verification that reaches a key's
   * rate limit, a secret issued before verifier digests existed); `verify()` asks the server then.
   * Input `POST /v1/verify` refuses with 400 throws the `BadRequestError` the server's answer
   * would (same code, message and issues).
   */
  verifySync(secret: string | Secret, check: VerifierCheck = {}): VerifyResponse {
    const answer = this.#answer(secret, check);
    if (typeof answer === "string") throw this.#unavailable(answer);
    return answer;
  }

  /** As `verifySync`, and asks `POST /v1/verify` where the snapshot cannot answer (or fails closed while it is stale, by `onStale`). */
  async verify(secret: string | Secret, check: VerifierCheck = {}): Promise<VerifyResponse> {
    const answer = this.#answer(secret, check);
    if (typeof answer !== "string") return answer;
    if (answer === "closed" || (answer === "stale" && this.#options.onStale === "fail-closed")) throw this.#unavailable(answer);
    return this.#askServer(secret instanceof Secret ? secret.reveal() : secret, check);
  }

  /** Stops following the stream and reports the usage not yet reported. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#connection?.abort();
    this.#wake?.();
    this.#rememberedDigests.clear();
    await this.#following;
    await this.#report();
  }

  // ---- answering ----------------------------------------------------------------------------

  /** The snapshot's answer, or why it has none. */
  #answer(secret: string | Secret, check: VerifierCheck): VerifyResponse | Deferral {
    const text: unknown = secret instanceof Secret ? secret.reveal() : secret;
    // A remembered secret passed the format and checksum tests when it was remembered: only the check is left to test.
    const remembered = typeof text === "string" ? this.#rememberedDigests.get(text) : undefined;
    if (remembered === undefined ? !isPlainVerifyRequest(text, check) : !isPlainVerifyCheck(check)) this.#refuseMalformed(text, check);
    if (this.#closed) return "closed";
    if (!this.#live()) return "stale";
    const entry = remembered === undefined ? this.#entryOf(text as string) : this.#byDigest.get(remembered);
    if (!entry) return this.#undigested > 0 && KEY_SECRET_PATTERN.test(text as string) && hasValidChecksum(text as string) ? "undigested" : NOT_FOUND_ANSWER;
    const now = this.#options.clock();
    const judgement = judgeVerification(entry.key, entry.secret, check, now, serverCounts);
    if (judgement.ratelimit === SERVER_COUNTS) return "rate-limited";
    this.#count(entry, judgement.code, now, check.ip ?? null);
    return verificationAnswer(entry.key, entry.secret, judgement);
  }

  /** What `POST /v1/verify` answers 400 to, judged by the same check, raised as the HTTP client raises that answer. */
  #refuseMalformed(key: unknown, check: VerifierCheck): void {
    const result = checkInput(VerifyRequest, { key, ...check }, "body");
    if (result.success) return;
    throw new BadRequestError({ code: "BAD_REQUEST", message: summarizeIssues(result.issues), details: result.issues });
  }

  /** The entry of a secret not remembered yet; remembers it when it belongs to a key. */
  #entryOf(text: string): Entry | undefined {
    // A mistyped or forged key is refused before any lookup, as the server does (SPEC §2).
    if (!KEY_SECRET_PATTERN.test(text) || !hasValidChecksum(text)) return undefined;
    const digest = createHmac("sha256", this.#verifierKey).update(text).digest("hex");
    const entry = this.#byDigest.get(digest);
    if (!entry) return undefined;
    if (this.#rememberedDigests.size >= REMEMBERED_SECRETS) this.#rememberedDigests.delete(this.#rememberedDigests.keys().next().value as string);
    this.#rememberedDigests.set(text, digest);
    return entry;
  }

  async #askServer(key: string, check: VerifierCheck): Promise<VerifyResponse> {
    const { data } = await this.#transport.call(routes.verifyKey, { body: { key, ...check } });
    // The token may see more than this verifier covers: outside its project and environment is NOT_FOUND here too.
    const outside = data.key && (data.key.project !== this.#options.project || (this.#options.environment && data.key.environment !== this.#options.environment));
    return outside ? NOT_FOUND_ANSWER : data;
  }

  #live(): boolean {
    return performance.now() - this.#heardAt <= this.#options.staleAfterMs;
  }

  #unavailable(why: Deferral): KeywardError {
    return new UnavailableError({ code: "UNAVAILABLE", message: `the in-process verifier cannot answer: ${DEFERRAL_REASONS[why]}` });
  }

  // ---- the snapshot ---------------------------------------------------------------------------

  #scopeQuery(): { project: string; environment?: Environment } {
    return { project: this.#options.project, ...(this.#options.environment ? { environment: this.#options.environment } : {}) };
  }

  #load(snapshot: VerifierSnapshot): void {
    const verifierKey = Buffer.from(snapshot.verifier_key, "base64url");
    if (!verifierKey.equals(this.#verifierKey)) this.#rememberedDigests.clear();
    this.#verifierKey = verifierKey;
    for (const id of [...this.#keys.keys()]) this.#remove(id);
    for (const key of snapshot.keys) this.#upsert(key);
    this.#cursor = snapshot.cursor;
  }

  #upsert(wire: VerifierKey): void {
    this.#remove(wire.id);
    const key: VerifiableKey = {
      id: wire.id,
      name: wire.name,
      project: wire.project,
      environment: wire.environment,
      scopes: wire.scopes,
      metadata: wire.metadata,
      expiresAt: dateOrNull(wire.expires_at),
      revokedAt: dateOrNull(wire.revoked_at),
      ipAllowlist: wire.ip_allowlist,
      rateLimit: wire.rate_limit,
    };
    const digests = wire.secrets.map((secret) => {
      this.#byDigest.set(secret.verifier_digest, { key, secret: { expiresAt: dateOrNull(secret.expires_at), revokedAt: dateOrNull(secret.revoked_at) }, version: secret.version });
      return secret.verifier_digest;
    });
    this.#keys.set(wire.id, digests);
    if (wire.undigested_secrets > 0) {
      this.#undigestedOf.set(wire.id, wire.undigested_secrets);
      this.#undigested += wire.undigested_secrets;
    }
  }

  #remove(id: string): void {
    for (const digest of this.#keys.get(id) ?? []) this.#byDigest.delete(digest);
    this.#keys.delete(id);
    this.#undigested -= this.#undigestedOf.get(id) ?? 0;
    this.#undigestedOf.delete(id);
  }

  // ---- the change stream ----------------------------------------------------------------------

  /** Follows the stream until closed, reconnecting with backoff (and jitter) after every end. */
  async #follow(): Promise<void> {
    let failures = 0;
    while (!this.#closed) {
      const connection = new AbortController();
      this.#connection = connection;
      this.#lastByteAt = performance.now();
      const heardBefore = this.#heardAt;
      try {
        const body = await this.#transport.stream(routes.streamVerifierEvents, { query: { ...this.#scopeQuery(), since: this.#cursor } }, connection.signal);
        for await (const event of serverSentEvents(this.#bytesOf(body))) this.#apply(event.event, event.data, event.id);
      } catch {
        // Every way a stream ends is handled alike: reconnect; meanwhile the snapshot goes stale.
      }
      if (this.#closed) return;
      failures = this.#heardAt > heardBefore ? 0 : failures + 1;
      const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** failures) * (0.5 + Math.random() / 2);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, delay).unref();
      });
    }
  }

  async *#bytesOf(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of body) {
      this.#lastByteAt = performance.now();
      yield chunk;
    }
  }

  #apply(event: string, data: string, id: string | undefined): void {
    const payload = JSON.parse(data) as unknown;
    if (event === "heartbeat") {
      this.#heardAt = performance.now();
      this.#firstHeartbeat?.();
      this.#firstHeartbeat = undefined;
      return;
    }
    if (event === "upsert") this.#upsert(VerifierKey.parse(payload));
    else if (event === "remove") this.#remove((payload as { id: string }).id);
    else if (event === "resync") this.#load(VerifierSnapshot.parse(payload));
    else return;
    if (id) this.#cursor = id;
  }

  /** A connection that delivers nothing at all (not even heartbeats) for twice the stale bound is replaced. */
  #watch(): void {
    if (performance.now() - this.#lastByteAt > 2 * this.#options.staleAfterMs) this.#connection?.abort();
  }

  // ---- usage ----------------------------------------------------------------------------------

  #count(entry: Entry, code: VerificationCode, at: Date, ip: string | null): void {
    let tally = this.#usage.get(entry);
    if (!tally) this.#usage.set(entry, (tally = { keyId: entry.key.id, version: entry.version, counts: {}, firstValidAt: null, lastAt: at, lastIp: ip }));
    tally.counts[code] = (tally.counts[code] ?? 0) + 1;
    if (code === "VALID" && tally.firstValidAt === null) tally.firstValidAt = at;
    tally.lastAt = at;
    tally.lastIp = ip ?? tally.lastIp;
  }

  /** One request per interval; a batch the server could not take is merged back into the next one. */
  #report(): Promise<void> {
    this.#reporting = this.#reporting.then(async () => {
      if (this.#usage.size === 0) return;
      const batch = this.#usage;
      this.#usage = new Map();
      const reports = reportsOf(batch.values());
      try {
        await this.#transport.call(routes.reportVerifierUsage, { body: { reports } }, { maxRetries: 0 });
      } catch (error) {
        if (error instanceof KeywardError && error.status !== undefined && error.status < 500 && error.status !== 429) return;
        this.#mergeBack(batch);
      }
    });
    return this.#reporting;
  }

  #mergeBack(batch: Map<Entry, UsageTally>): void {
    for (const [entry, old] of batch) {
      const newer = this.#usage.get(entry);
      if (!newer) {
        this.#usage.set(entry, old);
        continue;
      }
      for (const [code, count] of Object.entries(old.counts) as [VerificationCode, number][]) newer.counts[code] = (newer.counts[code] ?? 0) + count;
      newer.firstValidAt = old.firstValidAt ?? newer.firstValidAt;
      newer.lastIp = newer.lastIp ?? old.lastIp;
    }
  }
}

/**
 * One report per key and secret version. A secret's entry is replaced when its key changes, so
 * one secret may have several tallies: they are summed, keeping the first success and the latest use.
 */
function reportsOf(tallies: Iterable<UsageTally>): VerifierUsageReport[] {
  const merged = new Map<string, UsageTally>();
  for (const tally of tallies) {
    const id = `${tally.keyId}\u0000${tally.version}`;
    const same = merged.get(id);
    if (!same) {
      merged.set(id, { ...tally, counts: { ...tally.counts } });
      continue;
    }
    for (const [code, count] of Object.entries(tally.counts) as [VerificationCode, number][]) same.counts[code] = (same.counts[code] ?? 0) + count;
    if (tally.firstValidAt && (!same.firstValidAt || tally.firstValidAt < same.firstValidAt)) same.firstValidAt = tally.firstValidAt;
    if (tally.lastAt > same.lastAt) {
      same.lastAt = tally.lastAt;
      same.lastIp = tally.lastIp ?? same.lastIp;
    }
  }
  return [...merged.values()].map((tally) => ({
    key_id: tally.keyId,
    version: tally.version,
    counts: tally.counts,
    last_at: tally.lastAt.toISOString(),
    last_ip: tally.lastIp,
    first_valid_at: tally.firstValidAt?.toISOString() ?? null,
  }));
}

/**
 * The system clock, one Date per millisecond: verifications within a millisecond share it, which
 * spares an object per call. Nothing mutates it (the rules compare it; a tally keeps it as its time).
 */
function systemClock(): () => Date {
  let ms = Number.NaN;
  let date = new Date(0);
  return () => {
    const now = Date.now();
    if (now !== ms) {
      ms = now;
      date = new Date(now);
    }
    return date;
  };
}

function dateOrNull(text: string | null): Date | null {
  return text === null ? null : new Date(text);
}
