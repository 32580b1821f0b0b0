import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { KeyCount } from "./storage/key-store";

/** A scrape counts keys at most this often: many Prometheus replicas must not mean many count queries. */
export const KEY_COUNT_TTL_MS = 10_000;

export interface MetricsSources {
  /** Entries in the verification cache. */
  readonly cacheSize: () => number;
  /** Keys by environment and status, from the database; run on scrape, never on the verify path. */
  readonly keyCounts: () => Promise<readonly KeyCount[]>;
  /** Milliseconds since the epoch, for the key-count cache. */
  readonly now: () => number;
  /** The server's version, for `keyward_build_info`. */
  readonly version: string;
}

/**
 * The counts of one route answered outside the framework (the verify fast path), as plain numbers:
 * per request an increment instead of prom-client's label validation and hashing for two series.
 * They are added to `keyward_http_requests_total` (status 200) and `keyward_verifications_total`
 * whenever either is read, so a scrape shows exactly what per-request increments would have.
 */
export class AnsweredTally {
  /** Answers with status 200 not yet added to the counter. */
  answered = 0;
  /** Verifications by code not yet added to the counter. */
  readonly codes = new Map<string, number>();

  constructor(
    readonly method: string,
    readonly route: string,
  ) {}

  count(code: string): void {
    this.answered += 1;
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
  }
}

/** The latency buckets (seconds) of `keyward_http_request_duration_seconds`. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

/**
 * The latencies of one route answered outside the framework, counted per bucket in plain numbers
 * and added to `keyward_http_request_duration_seconds` whenever it is read: prom-client's own
 * `observe` validates and hashes the labels on every call, which cost the verify fast path more
 * than its HMAC. A scrape shows exactly what per-request observations would have.
 */
export class LatencyTally {
  /** Observations not yet added, per bucket: index i counts values in (bucket i-1, bucket i]. */
  readonly counts: number[] = LATENCY_BUCKETS.map(() => 0);
  sum = 0;
  count = 0;

  constructor(readonly labels: { readonly method: string; readonly route: string }) {}

  observe(seconds: number): void {
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS.length && seconds > (LATENCY_BUCKETS[bucket] as number)) bucket += 1;
    // Above the last bound: only in the count (the +Inf bucket), as prom-client counts it.
    if (bucket < LATENCY_BUCKETS.length) this.counts[bucket] = (this.counts[bucket] as number) + 1;
    this.sum += seconds;
    this.count += 1;
  }
}

/** The part of prom-client's histogram a tally is added to: one entry per label set. */
interface HistogramEntry {
  labels: Record<string, string>;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

/** Prometheus metrics of one server (its own registry: tests run several servers in one process). */
export class Metrics {
  readonly registry = new Registry();
  private readonly tallies: AnsweredTally[] = [];
  private readonly latencyTallies: LatencyTally[] = [];
  readonly requests = new Counter({
    name: "keyward_http_requests_total",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
    collect: () => this.addTallies(),
  });
  readonly latency = new Histogram({
    name: "keyward_http_request_duration_seconds",
    help: "HTTP request latency by method and route",
    labelNames: ["method", "route"] as const,
    buckets: [...LATENCY_BUCKETS],
    registers: [this.registry],
    collect: () => this.addLatencies(),
  });
  readonly verifications = new Counter({
    name: "keyward_verifications_total",
    help: "Key verifications by outcome code",
    labelNames: ["code"] as const,
    registers: [this.registry],
    collect: () => this.addTallies(),
  });
  readonly cacheEntries: Gauge;
  readonly keys: Gauge<"environment" | "status">;
  readonly buildInfo: Gauge<"version" | "node">;
  private counted: { at: number; counts: Promise<readonly KeyCount[]> } | undefined;

  constructor(sources: MetricsSources) {
    // Node.js process metrics: CPU, memory, heap, event-loop lag, handles, GC (prom-client's defaults).
    collectDefaultMetrics({ register: this.registry });
    this.cacheEntries = new Gauge({
      name: "keyward_verification_cache_entries",
      help: "Secrets and tokens held in the verification cache",
      registers: [this.registry],
      collect() {
        this.set(sources.cacheSize());
      },
    });
    this.buildInfo = new Gauge({
      name: "keyward_build_info",
      help: "Always 1; the labels say which build of the server runs",
      labelNames: ["version", "node"] as const,
      registers: [this.registry],
    });
    this.buildInfo.set({ version: sources.version, node: process.versions.node }, 1);
    const countKeys = () => this.keyCounts(sources);
    this.keys = new Gauge({
      name: "keyward_keys",
      help: `Keys by environment and status (counted at most every ${KEY_COUNT_TTL_MS / 1000} s)`,
      labelNames: ["environment", "status"] as const,
      registers: [this.registry],
      async collect() {
        // A database that does not answer leaves the last counts standing rather than failing the scrape.
        const counts = await countKeys().catch(() => undefined);
        if (!counts) return;
        this.reset();
        for (const environment of ["test", "live"] as const) {
          for (const status of ["active", "expired", "revoked"] as const) {
            const found = counts.find((count) => count.environment === environment && count.status === status);
            this.set({ environment, status }, found?.count ?? 0);
          }
        }
      },
    });
  }

  /** A tally for a route answered outside the framework; its counts join the series above when read. */
  tallyOf(method: string, route: string): AnsweredTally {
    const tally = new AnsweredTally(method, route);
    this.tallies.push(tally);
    return tally;
  }

  /** A latency tally for a route answered outside the framework; its counts join the histogram when read. */
  latencyTallyOf(method: string, route: string): LatencyTally {
    const tally = new LatencyTally({ method, route });
    this.latencyTallies.push(tally);
    return tally;
  }

  private addLatencies(): void {
    for (const tally of this.latencyTallies) {
      if (tally.count === 0) continue;
      const entry = this.histogramEntryOf(tally.labels);
      for (const [index, bound] of LATENCY_BUCKETS.entries()) entry.bucketValues[bound] = (entry.bucketValues[bound] ?? 0) + (tally.counts[index] as number);
      entry.sum += tally.sum;
      entry.count += tally.count;
      tally.counts.fill(0);
      tally.sum = 0;
      tally.count = 0;
    }
  }

  /**
   * The histogram's stored counts for one label set (prom-client keeps no public way to add counts
   * in bulk). `zero` creates it, with every bucket at 0, when that set was never observed.
   */
  private histogramEntryOf(labels: { readonly method: string; readonly route: string }): HistogramEntry {
    const find = () => {
      const { hashMap } = this.latency as unknown as { hashMap?: Record<string, HistogramEntry> };
      if (typeof hashMap !== "object" || hashMap === null) throw new Error("prom-client's Histogram no longer keeps `hashMap`: latency tallies cannot be added");
      return Object.values(hashMap).find((entry) => entry.labels.method === labels.method && entry.labels.route === labels.route);
    };
    const found = find();
    if (found) return found;
    this.latency.zero({ ...labels });
    const created = find();
    if (!created) throw new Error("prom-client's Histogram did not store a zeroed label set: latency tallies cannot be added");
    return created;
  }

  private addTallies(): void {
    for (const tally of this.tallies) {
      if (tally.answered > 0) this.requests.inc({ method: tally.method, route: tally.route, status: "200" }, tally.answered);
      tally.answered = 0;
      for (const [code, count] of tally.codes) this.verifications.inc({ code }, count);
      tally.codes.clear();
    }
  }

  /** The cached count, or one new query when it is older than the TTL (a failed query is not kept). */
  private keyCounts(sources: MetricsSources): Promise<readonly KeyCount[]> {
    const now = sources.now();
    if (this.counted && now - this.counted.at < KEY_COUNT_TTL_MS) return this.counted.counts;
    const counts = sources.keyCounts();
    this.counted = { at: now, counts };
    counts.catch(() => {
      if (this.counted?.counts === counts) this.counted = undefined;
    });
    return counts;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
