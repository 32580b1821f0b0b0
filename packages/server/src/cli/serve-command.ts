import { GITHUB_ACTIONS_ISSUER } from "@keyward/contract";
import type { Command } from "commander";
import { openKeyward } from "../keyward";
import { createLogger } from "../logger";
import { listen } from "../server";
import { type EventFlags, resolveEventConfig, resolveServerConfig, STORAGE_OPTIONS, type ServerFlags } from "./server-config";

/**
 * `keyward serve`: initialises a new database on first start (root token printed once, alone on
 * stdout), logs JSON to stderr, and on SIGTERM/SIGINT stops accepting, finishes in-flight requests,
 * writes pending usage and exits 0.
 */
export function registerServeCommand(program: Command): void {
  const command = program.command("serve").description("run the key service (HTTP API)");
  for (const [flags, description] of STORAGE_OPTIONS) command.option(flags, description);
  command
    .option("--host <host>", "address to listen on (default 127.0.0.1, or KEYWARD_HOST)")
    .option("--port <port>", "port to listen on (default 8787, or KEYWARD_PORT)")
    .option(
      "--oidc-issuer <url>",
      `an OIDC issuer whose ID tokens may be exchanged for management tokens; repeatable (default ${GITHUB_ACTIONS_ISSUER}, or KEYWARD_OIDC_ISSUERS)`,
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--trust-proxy <cidrs>", "proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For names the client (or KEYWARD_TRUST_PROXY); default none")
    .option("--audit-checkpoint-every <events>", "sign an audit checkpoint every this many events (default 1000, or KEYWARD_AUDIT_CHECKPOINT_EVERY)")
    .option("--verification-cache-size <secrets>", "secrets the verification cache holds at most, about 1 KiB each (default 250000, or KEYWARD_VERIFICATION_CACHE_SIZE)")
    .option("--log-level <level>", "fatal, error, warn, info or debug", process.env.KEYWARD_LOG_LEVEL ?? "info")
    .option("--allow-private-webhooks", "let webhooks use http:// and reach loopback/private addresses (or KEYWARD_ALLOW_PRIVATE_WEBHOOKS=1)")
    .option("--github-api-url <url>", "where GitHub's secret scanning keys are fetched (default https://api.github.com, or GITHUB_API_URL)")
    .option("--expiring-days <days>", "days before expiry at which key.expiring fires (default 14,3, or KEYWARD_EXPIRING_DAYS)")
    .action(async (flags: ServerFlags & EventFlags & { logLevel: string }) => {
      const config = resolveServerConfig(flags, process.env);
      const events = resolveEventConfig(flags, process.env);
      const logger = createLogger({ level: flags.logLevel });
      const keyward = await openKeyward({ ...config, ...events, logger });
      const rootToken = await keyward.initializeIfNeeded();
      if (rootToken) {
        process.stdout.write(`${rootToken}\n`);
        logger.info("initialised a new database; the root token was printed on stdout and will not be shown again");
      }
      const server = await listen(keyward, config);
      logger.info({ url: server.url, backend: keyward.services.storage.database.backend }, "keyward listening");
      const stop = (signal: string) => {
        logger.info({ signal }, "shutting down: finishing in-flight requests");
        server.close().then(
          () => {
            logger.info("stopped");
            logger.flush();
            process.exit(0);
          },
          (error: unknown) => {
            logger.error({ err: error }, "shutdown failed");
            logger.flush();
            process.exit(1);
          },
        );
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    });
}
