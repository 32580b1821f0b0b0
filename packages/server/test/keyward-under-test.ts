import type { InjectOptions, LightMyRequestResponse } from "fastify";
import type { Logger } from "pino";
import { type Keyward, type KeywardOptions, openKeyward } from "../src/keyward";
import { createLogger } from "../src/logger";

/** A clock the test moves: expiry and rotation without waiting. */
export class TestClock {
  private now: number;
  private readonly startedAt = performance.now();
  /** `running`: the clock also moves with real time (retry backoff, timers), on top of `advance`. */
  constructor(
    start = "2026-06-01T00:00:00.000Z",
    private readonly running = false,
  ) {
    this.now = Date.parse(start);
  }
  read = (): Date => new Date(this.now + (this.running ? Math.floor(performance.now() - this.startedAt) : 0));
  advance(milliseconds: number): void {
    this.now += milliseconds;
  }
}

export interface KeywardUnderTest {
  keyward: Keyward;
  clock: TestClock;
  rootToken: string;
  /** `app.inject` with a token (root by default) and a JSON body. */
  call(method: InjectOptions["method"], url: string, options?: { token?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  /** `app.inject` exactly as given. */
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /**
   * `app.inject` for a route that may answer a stream that never ends (Server-Sent Events): an
   * error answer is read whole; a success is read up to its first event and then hung up on.
   * `json()` is the error body, or the first event's data.
   */
  injectStream(options: InjectOptions): Promise<StreamedAnswer>;
  close(): Promise<void>;
}

export interface StreamedAnswer {
  statusCode: number;
  headers: LightMyRequestResponse["headers"];
  body: string;
  json(): any;
}

async function injectStream(keyward: Keyward, options: InjectOptions): Promise<StreamedAnswer> {
  const hangUp = new AbortController();
  const answer = await keyward.app.inject({ ...options, payloadAsStream: true, signal: hangUp.signal });
  let body = "";
  for await (const chunk of answer.stream()) {
    body += String(chunk);
    if (answer.statusCode < 300 && body.includes("\n\n")) break;
  }
  hangUp.abort();
  const firstEvent = () => JSON.parse(/^data: (.*)$/m.exec(body)?.[1] ?? "null");
  return { statusCode: answer.statusCode, headers: answer.headers, body, json: () => (answer.statusCode < 300 ? firstEvent() : JSON.parse(body)) };
}

export async function openKeywardUnderTest(
  options: {
    oidcIssuers?: readonly string[];
    clock?: TestClock;
    dataDir?: string;
    databaseUrl?: string;
    pepper?: string;
    logger?: Logger;
    failedAuthMax?: number;
    trustProxy?: string[];
    auditCheckpointFile?: string;
    auditCheckpointEvery?: number;
    verificationCacheSize?: number;
    /** The test clock starts now and moves with real time (webhook receivers check signatures against it; retries wait). */
    realTime?: boolean;
    /** Any other service option (webhooks, GitHub API URL…). */
    extra?: Partial<KeywardOptions>;
  } = {},
): Promise<KeywardUnderTest> {
  const clock = options.clock ?? (options.realTime ? new TestClock(new Date().toISOString(), true) : new TestClock());
  const keyward = await openKeyward({
    ...options.extra,
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    pepper: options.pepper,
    clock: clock.read,
    logger: options.logger ?? createLogger({ level: "silent" }),
    checkResponses: true,
    failedAuthPolicy: { max: options.failedAuthMax ?? 10_000, windowMs: 60_000 },
    // No cooldown: a test that rotates the issuer's keys must not wait for the refetch.
    ...(options.oidcIssuers ? { oidcIssuers: options.oidcIssuers, oidcJwksCooldownMs: 0 } : {}),
    trustProxy: options.trustProxy,
    ...(options.auditCheckpointFile !== undefined && { auditCheckpointFile: options.auditCheckpointFile }),
    ...(options.auditCheckpointEvery !== undefined && { auditCheckpointEvery: options.auditCheckpointEvery }),
    ...(options.verificationCacheSize !== undefined && { verificationCacheSize: options.verificationCacheSize }),
  });
  const rootToken = (await keyward.initializeIfNeeded()) ?? "";
  return {
    keyward,
    clock,
    rootToken,
    call(method, url, { token = rootToken, body, headers = {} } = {}) {
      return keyward.app.inject({
        method,
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        ...(body === undefined ? {} : { payload: body as object }),
      });
    },
    inject: (options) => keyward.app.inject(options),
    injectStream: (options) => injectStream(keyward, options),
    close: () => keyward.close(),
  };
}

/** A project with scopes, ready for keys. */
export async function seedProject(k: KeywardUnderTest, project: string, scopes: readonly string[]): Promise<void> {
  const created = await k.call("POST", "/v1/projects", { body: { name: project } });
  if (created.statusCode !== 201) throw new Error(`seeding project ${project}: ${created.body}`);
  for (const scope of scopes) {
    const put = await k.call("PUT", `/v1/projects/${project}/scopes/${scope}`, { body: {} });
    if (put.statusCode !== 201) throw new Error(`seeding scope ${scope}: ${put.body}`);
  }
}

/** Creates a key and answers its id and secret. */
export async function seedKey(k: KeywardUnderTest, body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const created = await k.call("POST", "/v1/keys", { body });
  if (created.statusCode !== 201) throw new Error(`seeding key: ${created.body}`);
  const answer = created.json() as { key: { id: string }; secret: string };
  return { id: answer.key.id, secret: answer.secret };
}

/** A management token with these scopes and bindings. */
export async function seedToken(k: KeywardUnderTest, body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const created = await k.call("POST", "/v1/tokens", { body });
  if (created.statusCode !== 201) throw new Error(`seeding token: ${created.body}`);
  const answer = created.json() as { token: { id: string }; secret: string };
  return { id: answer.token.id, secret: answer.secret };
}
