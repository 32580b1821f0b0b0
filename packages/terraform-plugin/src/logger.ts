/**
 * hclog-style JSON lines on stderr, which go-plugin parses and re-emits into Terraform's own log at
 * the line's level. go-plugin only recognises `@timestamp` with exactly six fractional digits
 * (`2006-01-02T15:04:05.000000Z07:00`). Log names and counts, never values: a value can be a secret.
 */
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error";

const order: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

export type LogFields = Record<string, string | number | boolean>;

export interface Logger {
  trace(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export function hclogTimestamp(now: Date, microseconds = 0): string {
  const iso = now.toISOString();
  const fraction = String(now.getUTCMilliseconds() * 1000 + microseconds).padStart(6, "0");
  return `${iso.slice(0, 19)}.${fraction}Z`;
}

export function logLevelFrom(environment: NodeJS.ProcessEnv): LogLevel {
  const requested = (environment.TF_LOG_PROVIDER ?? environment.TF_LOG ?? "").toLowerCase();
  if (requested === "json") return "trace";
  return requested in order ? (requested as LogLevel) : "warn";
}

export function createLogger(options: {
  module: string;
  level: LogLevel;
  write: (line: string) => void;
  clock?: () => Date;
}): Logger {
  const clock = options.clock ?? (() => new Date());
  const emit = (level: LogLevel) => (message: string, fields: LogFields = {}) => {
    if (order[level] < order[options.level]) return;
    const line = { "@level": level, "@message": message, "@module": options.module, "@timestamp": hclogTimestamp(clock()), ...fields };
    options.write(`${JSON.stringify(line)}\n`);
  };
  return { trace: emit("trace"), debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}
