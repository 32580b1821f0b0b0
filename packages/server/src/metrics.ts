import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** Prometheus metrics of one server (its own registry: tests run several servers in one process). */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "keyward_http_requests_total",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: "keyward_http_request_duration_seconds",
    help: "HTTP request latency by method and route",
    labelNames: ["method", "route"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly verifications = new Counter({
    name: "keyward_verifications_total",
    help: "Key verifications by outcome code",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });
  readonly cacheEntries: Gauge;

  constructor(cacheSize: () => number) {
    this.cacheEntries = new Gauge({
      name: "keyward_verification_cache_entries",
      help: "Secrets and tokens held in the verification cache",
      registers: [this.registry],
      collect() {
        this.set(cacheSize());
      },
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
