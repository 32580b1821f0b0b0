import { isIP } from "node:net";
import { join, resolve } from "node:path";
import { GITHUB_ACTIONS_ISSUER, IssuerUrl, parseDuration, Secret } from "@keyward/contract";
import { CHECKPOINT_FILE } from "../storage/checkpoint-log";

/** Where `init`, `serve` and `purge` keep their data, from flags, then environment, then defaults (SPEC §4). */
export interface ServerConfig {
  /** PGlite data directory, and the pepper file's home in every case. */
  dataDir: string;
  /** Real PostgreSQL instead of the embedded database. */
  databaseUrl?: string;
  pepper?: string;
  host: string;
  port: number;
  /** The OIDC issuers the token exchange trusts (SPEC §14). */
  oidcIssuers: string[];
  /** Proxies whose `X-Forwarded-For` names the client (SPEC §10); empty: the socket address is the client. */
  trustProxy: string[];
  /** Signed audit checkpoints (SPEC §12); default `<dataDir>/audit-checkpoints.jsonl`, for PostgreSQL too. */
  auditCheckpointFile: string;
  /** A checkpoint every this many audit events (`serve`). */
  auditCheckpointEvery?: number;
  /** Secrets the verification cache holds at most (`serve`). */
  verificationCacheSize?: number;
}

/** What `serve` adds for webhooks and leak response (SPEC §15). */
export interface EventConfig {
  allowPrivateWebhooks: boolean;
  githubApiUrl: string;
  /** `KEYWARD_GITHUB_TOKEN`: lets the leak response deliver a rotated secret to the key's destinations. */
  githubToken?: Secret;
  webhookRetry?: { baseMs: number };
  webhookTimeoutMs?: number;
  expiringDays?: number[];
}

export interface ServerFlags {
  dataDir?: string;
  databaseUrl?: string;
  host?: string;
  port?: string;
  oidcIssuer?: string[];
  trustProxy?: string;
  auditCheckpointFile?: string;
  auditCheckpointEvery?: string;
  verificationCacheSize?: string;
}

export interface EventFlags {
  allowPrivateWebhooks?: boolean;
  githubApiUrl?: string;
  expiringDays?: string;
}

export const DEFAULT_DATA_DIR = "./.keyward";
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 8787;

export function resolveServerConfig(flags: ServerFlags, env: NodeJS.ProcessEnv): ServerConfig {
  const portText = flags.port ?? env.KEYWARD_PORT;
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`${flags.port !== undefined ? "--port" : "KEYWARD_PORT"} must be a port number from 0 to 65535, got '${portText}'`);
  }
  const databaseUrl = flags.databaseUrl ?? env.KEYWARD_DATABASE_URL;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error(`${flags.databaseUrl !== undefined ? "--database-url" : "KEYWARD_DATABASE_URL"} must be a postgres:// or postgresql:// URL`);
  }
  const everyText = flags.auditCheckpointEvery ?? env.KEYWARD_AUDIT_CHECKPOINT_EVERY;
  const every = everyText === undefined ? undefined : Number(everyText);
  if (every !== undefined && (!Number.isInteger(every) || every < 1)) {
    throw new Error(`${flags.auditCheckpointEvery !== undefined ? "--audit-checkpoint-every" : "KEYWARD_AUDIT_CHECKPOINT_EVERY"} must be a whole number of events, at least 1, got '${everyText}'`);
  }
  const sizeText = flags.verificationCacheSize ?? env.KEYWARD_VERIFICATION_CACHE_SIZE;
  const size = sizeText === undefined ? undefined : Number(sizeText);
  if (size !== undefined && (!Number.isInteger(size) || size < 1)) {
    throw new Error(`${flags.verificationCacheSize !== undefined ? "--verification-cache-size" : "KEYWARD_VERIFICATION_CACHE_SIZE"} must be a whole number of secrets, at least 1, got '${sizeText}'`);
  }
  const dataDir = resolve(flags.dataDir ?? env.KEYWARD_DATA_DIR ?? DEFAULT_DATA_DIR);
  const checkpointFile = flags.auditCheckpointFile ?? env.KEYWARD_AUDIT_CHECKPOINT_FILE;
  return {
    dataDir,
    auditCheckpointFile: checkpointFile ? resolve(checkpointFile) : join(dataDir, CHECKPOINT_FILE),
    ...(every !== undefined ? { auditCheckpointEvery: every } : {}),
    ...(size !== undefined ? { verificationCacheSize: size } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(env.KEYWARD_PEPPER ? { pepper: env.KEYWARD_PEPPER } : {}),
    host: flags.host ?? env.KEYWARD_HOST ?? DEFAULT_HOST,
    port,
    oidcIssuers: resolveOidcIssuers(flags.oidcIssuer, env.KEYWARD_OIDC_ISSUERS),
    trustProxy: parseTrustProxy(flags.trustProxy ?? env.KEYWARD_TRUST_PROXY, flags.trustProxy !== undefined ? "--trust-proxy" : "KEYWARD_TRUST_PROXY"),
  };
}

/** `10.0.0.0/8,192.168.1.7,fd00::/8`: IP addresses and CIDR ranges, v4 or v6. */
export function parseTrustProxy(text: string | undefined, source: string): string[] {
  if (text === undefined || text.trim() === "") return [];
  const entries = text.split(",").map((entry) => entry.trim());
  entries.forEach((entry, index) => {
    const [address = "", prefix, extra] = entry.split("/");
    const family = isIP(address);
    const bits = family === 6 ? 128 : 32;
    const prefixValid = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixValid || extra !== undefined) {
      throw new Error(`${source}: entry ${index + 1} must be an IP address or a CIDR range (e.g. 10.0.0.0/8), separated by commas`);
    }
  });
  return entries;
}

/**
 * `--oidc-issuer URL` (repeatable), else `KEYWARD_OIDC_ISSUERS` (comma- or space-separated), else
 * GitHub Actions. Only these are ever contacted, so a policy cannot make the server fetch a URL.
 */
function resolveOidcIssuers(flags: string[] | undefined, variable: string | undefined): string[] {
  const source = flags && flags.length > 0 ? "--oidc-issuer" : "KEYWARD_OIDC_ISSUERS";
  const issuers = flags && flags.length > 0 ? flags : (variable ?? "").split(/[\s,]+/).filter(Boolean);
  if (issuers.length === 0) return [GITHUB_ACTIONS_ISSUER];
  for (const issuer of issuers) {
    if (!IssuerUrl.safeParse(issuer).success) {
      throw new Error(`${source} must be an issuer URL such as ${GITHUB_ACTIONS_ISSUER} (http or https, no trailing '/', query or fragment)`);
    }
  }
  return [...new Set(issuers)];
}

/** The storage flags `init`, `serve` and `purge` share. */
export const STORAGE_OPTIONS = [
  ["--data-dir <dir>", "embedded database directory (default ./.keyward, or KEYWARD_DATA_DIR); also holds the pepper file"],
  ["--database-url <url>", "use this PostgreSQL server instead (or KEYWARD_DATABASE_URL, which keeps a password out of the process list)"],
  ["--audit-checkpoint-file <file>", "append signed audit checkpoints here (default <data-dir>/audit-checkpoints.jsonl, or KEYWARD_AUDIT_CHECKPOINT_FILE)"],
] as const;

function durationSetting(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const milliseconds = parseDuration(text);
  if (milliseconds === undefined) throw new Error(`${name} must be a duration such as 30s, 5m or 1h`);
  return milliseconds;
}

/**
 * Webhook and secret scanning settings from flags, then environment. `KEYWARD_WEBHOOK_RETRY_BASE`
 * (first retry delay, default 30s) and `KEYWARD_WEBHOOK_TIMEOUT` (per attempt, default 10s) are
 * environment-only tuning knobs.
 */
export function resolveEventConfig(flags: EventFlags, env: NodeJS.ProcessEnv): EventConfig {
  const githubApiUrl = flags.githubApiUrl ?? env.GITHUB_API_URL ?? "https://api.github.com";
  if (!URL.canParse(githubApiUrl) || !/^https?:$/.test(new URL(githubApiUrl).protocol)) {
    throw new Error(`${flags.githubApiUrl !== undefined ? "--github-api-url" : "GITHUB_API_URL"} must be an http(s) URL such as https://api.github.com`);
  }
  const daysText = flags.expiringDays ?? env.KEYWARD_EXPIRING_DAYS;
  const expiringDays = daysText?.split(",").map((part) => Number(part.trim()));
  if (expiringDays && !expiringDays.every((days) => Number.isInteger(days) && days >= 1 && days <= 365)) {
    throw new Error(`${flags.expiringDays !== undefined ? "--expiring-days" : "KEYWARD_EXPIRING_DAYS"} must be a comma list of whole days from 1 to 365, such as 14,3`);
  }
  const retryBase = durationSetting("KEYWARD_WEBHOOK_RETRY_BASE", env.KEYWARD_WEBHOOK_RETRY_BASE);
  const timeout = durationSetting("KEYWARD_WEBHOOK_TIMEOUT", env.KEYWARD_WEBHOOK_TIMEOUT);
  return {
    allowPrivateWebhooks: flags.allowPrivateWebhooks === true || ["1", "true"].includes(env.KEYWARD_ALLOW_PRIVATE_WEBHOOKS ?? ""),
    githubApiUrl,
    // Environment only: a token in a flag would show in the process list.
    ...(env.KEYWARD_GITHUB_TOKEN ? { githubToken: new Secret(env.KEYWARD_GITHUB_TOKEN) } : {}),
    ...(retryBase ? { webhookRetry: { baseMs: retryBase } } : {}),
    ...(timeout ? { webhookTimeoutMs: timeout } : {}),
    ...(expiringDays ? { expiringDays } : {}),
  };
}
