import pino, { type DestinationStream, type Logger } from "pino";

/** Paths a log call could conceivably carry a secret under; redacted whatever the level. */
export const REDACTED_PATHS = [
  "secret",
  "*.secret",
  "token",
  "*.token",
  "key",
  "*.key",
  "authorization",
  "*.authorization",
  "req.headers.authorization",
  "headers.authorization",
  "headers[\"idempotency-key\"]",
  "pepper",
  "*.pepper",
];

/** JSON logs (pino). The one logger of the server. */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "keyward" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}
