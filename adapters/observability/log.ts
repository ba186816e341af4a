import { z } from 'zod';

/*
 * Our own logger rather than AWS Lambda Powertools: Powertools Metrics adds a `service`
 * dimension to every metric (a metric with other dimensions than the `Kind` and `Kind, Model`
 * sets the alarms and dashboard read is another metric, so they would go blank) and flushes
 * per Lambda invocation, while the worker writes one record per file from a long-lived ECS
 * task. With Metrics written here anyway, Powertools Logger alone would be a second dependency
 * in every bundle for what is one JSON line per call; the whole contract (levels, field names)
 * fits in this file and reads the same in the worker, the Lambdas and the local stack.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The variable every entry point reads its level from (Lambdas, the worker). */
export const LOG_LEVEL_ENV = 'LOG_LEVEL';
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** The schema piece each entry point's environment schema includes. */
export const logLevelShape = {
  [LOG_LEVEL_ENV]: z
    .enum(LOG_LEVELS)
    .default(DEFAULT_LOG_LEVEL)
    .describe('Lowest level of log line written (debug, info, warn, error).'),
} as const;

export type LogFields = Readonly<Record<string, unknown>>;

/**
 * One JSON object per line: `level`, `time`, `service`, `msg`, then the fields. CloudWatch
 * metric filters and Logs Insights read the same names from every component.
 */
export interface Log {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A log whose every line also carries `fields` (a request id, a job id). */
  with(fields: LogFields): Log;
}

export interface LogOptions {
  readonly service: string;
  /** Lines below this level are dropped. Default info. */
  readonly level?: LogLevel;
  /** Receives each line without its newline. Default: stdout. */
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

// The record's own keys: a field of the same name would make the line lie about itself.
const RESERVED = new Set(['level', 'time', 'service', 'msg']);

function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    return {
      name: value.name,
      message: value.message,
      ...('code' in value ? { code: value.code } : {}),
      stack: value.stack,
      ...(value.cause === undefined ? {} : { cause: serialise(value.cause) }),
    };
  }
  return value;
}

const rank = (level: LogLevel) => LOG_LEVELS.indexOf(level);

export function createLog(options: LogOptions, base: LogFields = {}): Log {
  const threshold = rank(options.level ?? DEFAULT_LOG_LEVEL);
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const log = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (rank(level) < threshold) return;
    const record: Record<string, unknown> = {
      level,
      time: now().toISOString(),
      service: options.service,
      msg,
    };
    for (const [key, value] of Object.entries({ ...base, ...fields })) {
      if (!RESERVED.has(key) && value !== undefined) record[key] = serialise(value);
    }
    write(JSON.stringify(record));
  };
  return {
    log,
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    with: (fields) => createLog(options, { ...base, ...fields }),
  };
}

const nothing = () => undefined;

/** For tests and the quiet local stack. */
export const silentLog: Log = {
  log: nothing,
  debug: nothing,
  info: nothing,
  warn: nothing,
  error: nothing,
  with: () => silentLog,
};
