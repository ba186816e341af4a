import { createLog, type Log, type LogLevel } from '../../adapters/observability/log.ts';

export interface LoggedLine {
  readonly level: string;
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

/**
 * The real JSON log writing into an array: tests assert on what a line holds (`level`, `msg`,
 * the rest as `fields`), parsed back from the JSON the production log writes.
 */
export function recordingLog(level: LogLevel = 'debug'): { log: Log; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const log = createLog({
    service: 'test',
    level,
    write: (line) => {
      const { level: at, msg, time: _time, service: _service, ...fields } = JSON.parse(line);
      lines.push({ level: at, msg, fields });
    },
  });
  return { log, lines };
}
