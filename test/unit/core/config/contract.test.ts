import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseWorkerEnv } from '../../../../containers/worker/env.ts';
import { booleanFlag, heartbeatSecondsFor, parseConfig } from '../../../../core/config/contract.ts';
import { CutoutError } from '../../../../core/errors.ts';
import { parseConvertEnv } from '../../../../functions/convert/env.ts';
import { HTTP_STATUS } from '../../../../functions/shared/http.ts';

const shape = {
  TABLE: z.string().min(1).describe('a table'),
  COUNT: z.coerce.number().int().positive().default(3).describe('a count'),
  FLAG: booleanFlag(false).describe('a flag'),
};

function thrown(run: () => unknown): CutoutError {
  try {
    run();
  } catch (error) {
    if (error instanceof CutoutError) return error;
    throw error;
  }
  throw new Error('expected a CutoutError');
}

describe('parseConfig', () => {
  it('reports every problem at once, each naming its variable, as CONFIGURATION', () => {
    const error = thrown(() => parseConfig(shape, { COUNT: 'many', FLAG: 'maybe' }));
    expect(error.code).toBe('CONFIGURATION');
    expect(error.retryable).toBe(false);
    expect(HTTP_STATUS[error.code]).toBe(500);
    expect(error.field).toBe('TABLE');
    expect(error.message).toMatch(/^TABLE: is required/);
    expect(error.message).toContain('COUNT: "many" is not valid');
    expect(error.message).toContain('FLAG: "maybe" is not valid');
  });

  it('applies defaults to blank values and ignores variables outside the schema', () => {
    const config = parseConfig(shape, { TABLE: 'jobs', COUNT: '  ', OTHER: 'x' });
    expect(config).toEqual({ TABLE: 'jobs', COUNT: 3, FLAG: false });
  });

  it('is the parser of the Lambdas and the worker alike', () => {
    const lambda = thrown(() => parseConvertEnv({ INLINE_LIMIT_BYTES: 'x' }));
    expect(lambda.code).toBe('CONFIGURATION');
    expect(lambda.message).toContain('JOBS_TABLE_NAME: is required');
    expect(lambda.message).toContain('INLINE_LIMIT_BYTES: "x" is not valid');
    const worker = thrown(() =>
      parseWorkerEnv({ WORKER_IMAGE_CONCURRENCY: '0', WORKER_VIDEO_MAX_WIDTH: 'wide' }),
    );
    expect(worker.code).toBe('CONFIGURATION');
    for (const name of [
      'JOBS_TABLE_NAME',
      'INPUT_BUCKET_NAME',
      'OUTPUT_BUCKET_NAME',
      'WORKER_IMAGE_CONCURRENCY',
      'WORKER_VIDEO_MAX_WIDTH',
    ]) {
      expect(worker.message).toContain(`${name}: `);
    }
  });
});

describe('booleanFlag', () => {
  it.each([
    ['true', true],
    ['ON', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['Off', false],
    ['0', false],
    ['no', false],
  ])('reads %s as %s', (text, value) => {
    expect(parseConfig({ FLAG: booleanFlag(!value) }, { FLAG: text }).FLAG).toBe(value);
  });
});

describe('heartbeatSecondsFor', () => {
  it('is a third of the window by default and never above half', () => {
    expect(heartbeatSecondsFor(120)).toBe(40);
    expect(heartbeatSecondsFor(1)).toBe(1);
    expect(heartbeatSecondsFor(10, 9)).toBe(5);
    expect(heartbeatSecondsFor(10, 2)).toBe(2);
  });
});
