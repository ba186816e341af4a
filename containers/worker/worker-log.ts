/**
 * Structured JSON log lines (one object per line, CloudWatch-friendly). The local stack and tests
 * pass a quieter sink.
 */

export type LogFields = Readonly<Record<string, unknown>>;

export interface WorkerLog {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export function jsonLog(write: (line: string) => void, base: LogFields = {}): WorkerLog {
  const emit =
    (level: string) =>
    (event: string, fields: LogFields = {}) =>
      write(JSON.stringify({ time: new Date().toISOString(), level, event, ...base, ...fields }));
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLog: WorkerLog = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
