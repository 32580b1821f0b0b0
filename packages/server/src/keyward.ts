import { GITHUB_ACTIONS_ISSUER, type Secret } from "@keyward/contract";
import type { GitHubSecrets } from "@keyward/github-secrets";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { buildApp, type HttpTimeouts } from "./app";
import { AuditCheckpointer, DEFAULT_CHECKPOINT_EVERY } from "./domain/audit/audit-checkpointer";
import { AuditKeys } from "./domain/audit/audit-keys";
import { upgradeAuditChain } from "./domain/audit/upgrade-audit-chain";
import { type Clock, systemClock } from "./domain/clock";
import type { FailedAuthPolicy } from "./domain/failed-auth-limiter";
import { AlreadyInitializedError, initialize, isInitialized } from "./domain/initialize";
import { Pepper } from "./domain/pepper";
import { cryptoRandom, type RandomSource } from "./domain/random-source";
import { LocalRateLimiter, type RateLimiter } from "./domain/rate-limiter";
import { SecretIssuer } from "./domain/secret-issuer";
import { SharedRateLimiter } from "./domain/shared-rate-limiter";
import type { Services } from "./domain/services";
import { auditGraceStarts } from "./domain/keys/audit-grace-starts";
import { UsageRecorder } from "./domain/usage-recorder";
import { DEFAULT_EXPIRING_DAYS, ExpiryWatch } from "./domain/webhooks/expiry-watch";
import { DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from "./domain/webhooks/retry-schedule";
import { WebhookDispatcher } from "./domain/webhooks/webhook-dispatcher";
import { CHANGES_CHANNEL, DEFAULT_VERIFICATION_CACHE_SIZE, decodeChange, VerificationCache } from "./domain/verification-cache";
import { ChangeFeed } from "./domain/verifier/change-feed";
import { createLogger } from "./logger";
import { Metrics } from "./metrics";
import { OidcIdTokenVerifier } from "./oidc/oidc-id-token-verifier";
import { GithubPublicKeys } from "./network/github-public-keys";
import { WebhookSender, type WebhookSenderOptions } from "./network/webhook-sender";
import { defaultCheckpointPath, fileCheckpointLog, memoryCheckpointLog } from "./storage/checkpoint-log";
import { IDEMPOTENCY_TTL_MS } from "./storage/idempotency-store";
import { loadPepper } from "./storage/pepper-file";
import { Storage } from "./storage/storage";
import { VERSION } from "./version";

export interface KeywardOptions {
  /** PGlite data directory (also where the pepper file lives). In memory when neither this nor `databaseUrl` is set. */
  dataDir?: string;
  databaseUrl?: string;
  /** Overrides the pepper file (KEYWARD_PEPPER). */
  pepper?: string;
  clock?: Clock;
  random?: RandomSource;
  logger?: Logger;
  /** How often gathered usage is written. Default 1 s. */
  usageFlushMs?: number;
  failedAuthPolicy?: FailedAuthPolicy;
  /** Proxies (IPs or CIDRs) whose `X-Forwarded-For` names the client (`--trust-proxy`). */
  trustProxy?: readonly string[];
  checkResponses?: boolean;
  /** The OIDC issuers the token exchange trusts and contacts (SPEC §14). @default [GitHub Actions] */
  oidcIssuers?: readonly string[];
  /** Least time between two key-set fetches of one issuer on an unknown `kid`. @default 30000 */
  oidcJwksCooldownMs?: number;
  /** Slow-client limits (SPEC §11 defaults). */
  httpTimeouts?: HttpTimeouts;
  /** `--allow-private-webhooks`: webhooks may use http:// and reach loopback/private addresses. */
  allowPrivateWebhooks?: boolean;
  /** Where GitHub's secret scanning keys are fetched (`--github-api-url`). Default https://api.github.com. */
  githubApiUrl?: string;
  /** `KEYWARD_GITHUB_TOKEN`: GitHub token with "Secrets: write", so an exposed key's rotated secret reaches its destinations. */
  githubToken?: Secret;
  /** Webhook retry backoff; tests shorten `baseMs`. */
  webhookRetry?: Partial<RetrySchedule>;
  /** One delivery attempt's budget. Default 10 s. */
  webhookTimeoutMs?: number;
  /** How often the delivery queue is polled. Default 1 s. */
  webhookPollMs?: number;
  /** Name resolution for webhook targets (tests). */
  webhookLookup?: WebhookSenderOptions["lookup"];
  /** Days before expiry at which `key.expiring` fires. Default 14 and 3. */
  expiringDays?: readonly number[];
  /** How often expiries and overdue rotations are checked. Default 60 s. */
  expiryCheckMs?: number;
  /** Where signed audit checkpoints are appended. Default `<dataDir>/audit-checkpoints.jsonl`; in memory without a data directory. */
  auditCheckpointFile?: string;
  /** A checkpoint every this many audit events. Default 1,000. */
  auditCheckpointEvery?: number;
  /** Secrets the verification cache holds at most (least recently used go first). @default 250000 */
  verificationCacheSize?: number;
}

/** Planner statistics are refreshed this often (and once after the migrations at start). */
const ANALYZE_EVERY_MS = 600_000;
/** Rate-limit windows are kept this long after they start (the longest useful window is far shorter). */
const RATE_LIMIT_WINDOWS_KEPT_MS = 31 * 86_400_000;
export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

/** One Keyward service: storage, domain services and the HTTP app, not yet listening. */
export interface Keyward {
  readonly app: FastifyInstance;
  readonly services: Services;
  readonly logger: Logger;
  readonly dispatcher: WebhookDispatcher;
  readonly expiryWatch: ExpiryWatch;
  /** Creates the root token on a fresh database; the plaintext, or undefined when it already existed. */
  initializeIfNeeded(): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function openKeyward(options: KeywardOptions): Promise<Keyward> {
  const logger = options.logger ?? createLogger();
  const pepperBytes = await loadPepper({ dataDir: options.dataDir, fromEnvironment: options.pepper });
  if (!pepperBytes && options.databaseUrl) {
    throw new Error("a pepper is needed to use PostgreSQL: set KEYWARD_PEPPER or --data-dir (where the pepper file is kept)");
  }
  const random = options.random ?? cryptoRandom;
  const storage = await Storage.open({ dataDir: options.databaseUrl ? undefined : options.dataDir, databaseUrl: options.databaseUrl });
  const cacheSize = options.verificationCacheSize ?? DEFAULT_VERIFICATION_CACHE_SIZE;
  const cache = new VerificationCache(() => storage.database.notificationsLive, cacheSize, {
    allDigests: () => storage.stores.secrets.allDigests(),
    digestsOf: (keyId) => storage.stores.secrets.digestsOf(keyId),
  });
  const usage = new UsageRecorder(
    storage,
    (error) => logger.error({ err: error }, "could not write usage counts"),
    (change) => cache.apply(change),
    // Flushes start once the services exist (`usage.start` below).
    (stores, starts) => auditGraceStarts(stores, services, starts),
    undefined,
    // A use is held back only while the entry it was judged with is cached.
    cacheSize,
  );
  const pepper = new Pepper(pepperBytes ?? cryptoRandom(32));
  const clock = options.clock ?? systemClock;
  const checkpointPath = options.auditCheckpointFile ?? (options.dataDir ? defaultCheckpointPath(options.dataDir) : undefined);
  const checkpoints = new AuditCheckpointer(
    new AuditKeys(pepper),
    checkpointPath ? fileCheckpointLog(checkpointPath) : memoryCheckpointLog(),
    storage,
    clock,
    options.auditCheckpointEvery ?? DEFAULT_CHECKPOINT_EVERY,
    (error) => logger.error({ err: error }, "could not write an audit checkpoint"),
  );
  // One embedded database means one instance: its own count is exact. PostgreSQL may have several.
  const rateLimiter: RateLimiter =
    storage.database.backend === "postgres"
      ? new SharedRateLimiter((keyId, windowStart, amount) => storage.stores.rateLimits.add(keyId, windowStart, amount))
      : new LocalRateLimiter();
  const webhookTimeoutMs = options.webhookTimeoutMs ?? 10_000;
  const sender = new WebhookSender({ allowPrivate: options.allowPrivateWebhooks ?? false, timeoutMs: webhookTimeoutMs, lookup: options.webhookLookup });
  let dispatcher: WebhookDispatcher | undefined;
  const services: Services = {
    storage,
    pepper,
    clock,
    issuer: new SecretIssuer(random),
    cache,
    usage,
    rateLimiter,
    idTokens: new OidcIdTokenVerifier({ issuers: options.oidcIssuers ?? [GITHUB_ACTIONS_ISSUER], jwksCooldownMs: options.oidcJwksCooldownMs }),
    checkpoints,
    webhooks: { refusal: (url) => sender.refusal(url), wake: () => dispatcher?.wake() },
    ...(options.githubToken ? { github: await githubSecrets(options.githubToken, options.githubApiUrl ?? DEFAULT_GITHUB_API_URL, logger) } : {}),
    verifierFeed: new ChangeFeed(Buffer.from(random(6)).toString("hex"), () => storage.database.notificationsLive),
  };
  await upgradeAuditChain(services);
  dispatcher = new WebhookDispatcher({
    storage,
    pepper: services.pepper,
    clock: services.clock,
    random,
    sender,
    retry: { ...DEFAULT_RETRY_SCHEDULE, ...options.webhookRetry },
    // Longer than any one attempt, so a live sender's lease never runs out under it.
    leaseMs: 2 * webhookTimeoutMs + 5_000,
    pollMs: options.webhookPollMs ?? 1_000,
    // The embedded database has this one process as its only writer: no poll while nothing is queued.
    queuedHereOnly: storage.database.backend === "pglite",
    userAgent: `Keyward-Webhooks/${VERSION}`,
    onError: (error) => logger.error({ err: error }, "could not deliver webhooks"),
  });
  const expiryWatch = new ExpiryWatch(services, {
    thresholdsDays: options.expiringDays ?? DEFAULT_EXPIRING_DAYS,
    everyMs: options.expiryCheckMs ?? 60_000,
    onError: (error) => logger.error({ err: error }, "could not check key expiries"),
  });
  const stopListening = await storage.database.listen(
    CHANGES_CHANNEL,
    (payload) => {
      const change = decodeChange(payload);
      if (change) cache.apply(change);
    },
    () => cache.clear(),
  );
  const stopFeeding = await storage.database.listen(
    CHANGES_CHANNEL,
    (payload) => {
      const change = decodeChange(payload);
      if (change) services.verifierFeed.publish(change);
    },
    () => services.verifierFeed.reset(),
  );
  // Listening first: a key created while the index loads is re-read through its notification.
  await cache.loadIndex();
  await cache.warm(async (limit) => (await storage.stores.secrets.verifiable(limit, services.clock())).map(({ digest, key, secret }) => ({ digest, entry: { key, secret } })));
  usage.start(options.usageFlushMs ?? 1_000);
  const sweeper = setInterval(() => {
    const before = new Date(services.clock().getTime() - IDEMPOTENCY_TTL_MS);
    storage.stores.idempotency.deleteOlderThan(before).catch((error) => logger.error({ err: error }, "could not delete expired idempotent answers"));
    storage.stores.trustPolicies
      .pruneExchangedBefore(services.clock())
      .catch((error) => logger.error({ err: error }, "could not forget expired exchanged ID tokens"));
    storage.stores.rateLimits
      .deleteOlderThan(services.clock().getTime() - RATE_LIMIT_WINDOWS_KEPT_MS)
      .catch((error) => logger.error({ err: error }, "could not delete old rate-limit windows"));
  }, 3_600_000);
  sweeper.unref();
  // Neither PGlite nor a busy table waits for autovacuum here: without statistics, plans for
  // listings and inserts degrade as keys grow (SPEC §16: flat costs at 100k keys).
  const analyzer = setInterval(() => {
    storage.analyze().catch((error) => logger.error({ err: error }, "could not refresh planner statistics"));
  }, ANALYZE_EVERY_MS);
  analyzer.unref();
  const metrics = new Metrics({
    cacheSize: () => cache.size,
    keyCounts: () => storage.stores.keys.countByStatus(new Date(services.clock().getTime())),
    now: () => services.clock().getTime(),
    version: VERSION,
  });
  const app = await buildApp({
    services,
    metrics,
    logger,
    version: VERSION,
    failedAuthPolicy: options.failedAuthPolicy,
    trustProxy: options.trustProxy,
    checkResponses: options.checkResponses,
    httpTimeouts: options.httpTimeouts,
    githubKeys: new GithubPublicKeys(options.githubApiUrl ?? DEFAULT_GITHUB_API_URL),
  });
  dispatcher.start();
  expiryWatch.start();
  let closing: Promise<void> | undefined;
  return {
    app,
    services,
    logger,
    dispatcher,
    expiryWatch,
    async initializeIfNeeded() {
      if (await isInitialized(services)) return undefined;
      try {
        return await initialize(services, "init");
      } catch (error) {
        // Another instance on the same database initialised it first: its root token stands.
        if (error instanceof AlreadyInitializedError) return undefined;
        throw error;
      }
    },
    close() {
      closing ??= (async () => {
        clearInterval(sweeper);
        clearInterval(analyzer);
        cache.close();
        await app.close();
        await expiryWatch.close();
        await dispatcher.close();
        await sender.close();
        await usage.close();
        await checkpoints.close();
        await stopListening();
        await stopFeeding();
        services.verifierFeed.stop();
        await storage.close();
      })();
      return closing;
    },
  };
}

/** GitHub's secrets API under the server's token; loaded only when one is configured. */
async function githubSecrets(token: Secret, baseUrl: string, logger: Logger): Promise<GitHubSecrets> {
  const { connectOctokit, GitHubSecrets } = await import("@keyward/github-secrets");
  return new GitHubSecrets(
    connectOctokit({ token, baseUrl, userAgent: `keyward/${VERSION}`, onWait: (message) => logger.warn(message), debug: (message) => logger.debug(message) }),
  );
}
