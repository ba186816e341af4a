/** Structured JSON log lines (CloudWatch and the local stack read them alike). */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

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

export function jsonLogger(
  service: string,
  write: (line: string) => void = (l) => process.stdout.write(l),
): Logger {
  return {
    log(level, message, fields = {}) {
      const entries = Object.entries(fields).map(([k, v]) => [k, serialise(v)]);
      write(
        `${JSON.stringify({ level, time: new Date().toISOString(), service, message, ...Object.fromEntries(entries) })}\n`,
      );
    },
  };
}
