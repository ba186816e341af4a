import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createLog,
  LOG_LEVELS,
  type LogLevel,
  logLevelShape,
  silentLog,
} from '../../../../adapters/observability/log.ts';
import { CutoutError } from '../../../../core/errors.ts';

const NOW = new Date('2026-03-01T10:00:00.000Z');

function capture(level?: LogLevel) {
  const lines: string[] = [];
  const log = createLog({
    service: 'svc',
    ...(level ? { level } : {}),
    write: (line) => lines.push(line),
    now: () => NOW,
  });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { log, lines, records };
}

function everyLevel(log: ReturnType<typeof capture>['log']) {
  log.debug('d');
  log.info('i');
  log.warn('w');
  log.error('e');
}

describe('createLog levels', () => {
  it('writes info and above by default, debug lines dropped', () => {
    const c = capture();
    everyLevel(c.log);
    expect(c.records().map((r) => r.level)).toEqual(['info', 'warn', 'error']);
  });

  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ] as const)('at %s writes %j', (level, expected) => {
    const c = capture(level);
    everyLevel(c.log);
    expect(c.records().map((r) => r.level)).toEqual(expected);
  });

  it('filters log(level, ...) as the named methods', () => {
    const c = capture('info');
    c.log.log('debug', 'dropped');
    c.log.log('warn', 'kept');
    expect(c.records().map((r) => r.msg)).toEqual(['kept']);
  });

  it('keeps the level through with()', () => {
    const c = capture('warn');
    const child = c.log.with({ jobId: 'j' });
    child.info('dropped');
    child.warn('kept');
    expect(c.records()).toEqual([expect.objectContaining({ msg: 'kept', jobId: 'j' })]);
  });
});

describe('createLog line shape', () => {
  it('is one JSON object per line: level, time, service, msg first, then the fields', () => {
    const c = capture();
    c.log.info('file.done', { jobId: 'j1', fileId: '0000', ms: 12 });
    expect(c.lines).toHaveLength(1);
    expect(c.lines[0]).not.toContain('\n');
    const record = c.records()[0] ?? {};
    expect(Object.keys(record)).toEqual([
      'level',
      'time',
      'service',
      'msg',
      'jobId',
      'fileId',
      'ms',
    ]);
    expect(record).toEqual({
      level: 'info',
      time: '2026-03-01T10:00:00.000Z',
      service: 'svc',
      msg: 'file.done',
      jobId: 'j1',
      fileId: '0000',
      ms: 12,
    });
  });

  it('writes errors as name, message, code and stack; a field never overrides the record keys', () => {
    const c = capture();
    c.log.error('failed', {
      code: 'DECODE_FAILED',
      error: new CutoutError('DECODE_FAILED', 'a.png: not an image'),
      level: 'debug',
      msg: 'forged',
      skipped: undefined,
    });
    const record = c.records()[0] ?? {};
    expect(record).toMatchObject({ level: 'error', msg: 'failed', code: 'DECODE_FAILED' });
    expect(record.error).toMatchObject({
      name: 'CutoutError',
      message: 'a.png: not an image',
      code: 'DECODE_FAILED',
    });
    expect(String((record.error as { stack: string }).stack)).toContain('a.png: not an image');
    expect(record).not.toHaveProperty('skipped');
  });

  it('adds the fields of with() to every line, the call fields winning', () => {
    const c = capture();
    const child = c.log.with({ requestId: 'r-1', jobId: 'j0' });
    child.info('a');
    child.info('b', { jobId: 'j2' });
    c.log.info('c');
    expect(c.records().map((r) => [r.msg, r.requestId, r.jobId])).toEqual([
      ['a', 'r-1', 'j0'],
      ['b', 'r-1', 'j2'],
      ['c', undefined, undefined],
    ]);
  });

  it('silentLog writes nothing and stays silent through with()', () => {
    expect(() => silentLog.with({ a: 1 }).error('x')).not.toThrow();
  });
});

describe('LOG_LEVEL', () => {
  const schema = z.object(logLevelShape);

  it('defaults to info and accepts the four levels', () => {
    expect(schema.parse({}).LOG_LEVEL).toBe('info');
    for (const level of LOG_LEVELS)
      expect(schema.parse({ LOG_LEVEL: level }).LOG_LEVEL).toBe(level);
  });

  it('refuses any other value', () => {
    expect(schema.safeParse({ LOG_LEVEL: 'verbose' }).success).toBe(false);
  });
});
