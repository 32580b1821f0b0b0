import type { Secret } from "@keyward/contract";
import type { Logger } from "pino";
import type { HttpTimeouts } from "./app";
import type { Clock } from "./domain/clock";
import type { FailedAuthPolicy } from "./domain/failed-auth-limiter";
import { openKeyward } from "./keyward";
import { createLogger } from "./logger";
import { listen } from "./server";

export { buildApp } from "./app";
export { type Keyward, type KeywardOptions, openKeyward } from "./keyward";
export { listen, type ListeningServer } from "./server";

export interface StartOptions {
  /** PGlite data directory. Default: a fresh in-memory database. */
  dataDir?: string;
  /** A real PostgreSQL server instead (then `pepper` or `dataDir` is required). */
  databaseUrl?: string;
  pepper?: string;
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  clock?: Clock;
  /** Default "silent"; "debug" to see every request. */
  logLevel?: string;
  logger?: Logger;
  usageFlushMs?: number;
  failedAuthPolicy?: FailedAuthPolicy;
  checkResponses?: boolean;
  /** OIDC issuers the token exchange trusts, e.g. a local test issuer. @default [GitHub Actions] */
  oidcIssuers?: readonly string[];
  oidcJwksCooldownMs?: number;
  httpTimeouts?: HttpTimeouts;
  verificationCacheSize?: number;
  /** Webhooks may use http:// and reach loopback/private addresses (`--allow-private-webhooks`). */
  allowPrivateWebhooks?: boolean;
  /** Where GitHub is reached: secret scanning keys, and destinations of the leak response. */
  githubApiUrl?: string;
  /** A GitHub token with "Secrets: write", so the leak response's `rotate` delivers the new secret. */
  githubToken?: Secret;
}

export interface StartedKeyward {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The root (`admin`) management token created for this database. */
  rootToken: string;
  close(): Promise<void>;
}

/**
 * Starts a Keyward server in this process, for other packages' end-to-end tests:
 * `const { url, rootToken, close } = await startKeyward()`. The database must be new (that is
 * when a root token is made); to attach a second server to an existing one use `joinKeyward`.
 */
export async function startKeyward(options: StartOptions = {}): Promise<StartedKeyward> {
  const keyward = await openKeyward({ ...options, logger: options.logger ?? createLogger({ level: options.logLevel ?? "silent" }) });
  try {
    const rootToken = await keyward.initializeIfNeeded();
    if (!rootToken) throw new Error("this database is already initialised, so no root token can be issued; use joinKeyward() to attach to it");
    const server = await listen(keyward, { host: options.host ?? "127.0.0.1", port: options.port ?? 0 });
    return { url: server.url, rootToken, close: server.close };
  } catch (error) {
    await keyward.close();
    throw error;
  }
}

/** Another server on an existing (initialised) database, e.g. a second instance on the same PostgreSQL. */
export async function joinKeyward(options: StartOptions & ({ databaseUrl: string } | { dataDir: string })): Promise<{ url: string; close(): Promise<void> }> {
  const keyward = await openKeyward({ ...options, logger: options.logger ?? createLogger({ level: options.logLevel ?? "silent" }) });
  const server = await listen(keyward, { host: options.host ?? "127.0.0.1", port: options.port ?? 0 });
  return { url: server.url, close: server.close };
}
