import { describe, expect, it } from 'vitest';
import { CutoutError } from '../../../core/errors.ts';
import { errorResponse } from '../../../functions/shared/http.ts';
import {
  createDiskBudget,
  DISK_BUDGET_ENV,
  parseByteSize,
  parseDiskBudget,
} from '../../../local/disk-budget.ts';

describe('parseByteSize', () => {
  it.each([
    ['5GB', 5e9],
    ['500MB', 5e8],
    ['1.5 gb', 1.5e9],
    ['2GiB', 2 * 1024 ** 3],
    ['1000', 1000],
    ['0', 0],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', 'lots', '5 GBs', '-1GB', '5XB'])('%j is not a size', (text) => {
    expect(parseByteSize(text)).toBeUndefined();
  });
});

describe('parseDiskBudget', () => {
  it('defaults to 5 GB and reads the variable', () => {
    expect(parseDiskBudget({})).toBe(5e9);
    expect(parseDiskBudget({ [DISK_BUDGET_ENV]: '200MB' })).toBe(2e8);
  });

  it('names the variable when its value is not a size', () => {
    let thrown: unknown;
    try {
      parseDiskBudget({ [DISK_BUDGET_ENV]: 'plenty' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CutoutError);
    expect((thrown as CutoutError).code).toBe('CONFIGURATION');
    expect((thrown as CutoutError).message).toContain(DISK_BUDGET_ENV);
  });
});

describe('createDiskBudget', () => {
  const GB = 1e9;

  function budget(used: number[], free = 100 * GB, budgetBytes = 5 * GB) {
    let clock = 0;
    const calls: number[] = [];
    const b = createDiskBudget({
      dir: '/data',
      budgetBytes,
      measure: async () => {
        calls.push(clock);
        return used[Math.min(calls.length - 1, used.length - 1)] ?? 0;
      },
      freeBytes: async () => free,
      now: () => clock,
    });
    return {
      b,
      calls,
      advance: (ms: number) => {
        clock += ms;
      },
    };
  }

  it('admits under the budget and refuses at it with INSUFFICIENT_STORAGE (507, told)', async () => {
    const { b, advance } = budget([4 * GB, 5.2 * GB]);
    await expect(b.admit()).resolves.toBeUndefined();
    advance(10_000);
    const refused = await b.admit().catch((error: unknown) => error as CutoutError);
    expect(refused).toBeInstanceOf(CutoutError);
    expect((refused as CutoutError).code).toBe('INSUFFICIENT_STORAGE');
    expect((refused as CutoutError).message).toContain('5.2 GB of its 5.0 GB disk budget');
    const answer = errorResponse(refused, 'req-1');
    expect(answer.statusCode).toBe(507);
    expect(JSON.parse(answer.body)).toEqual({
      error: (refused as CutoutError).message,
      code: 'INSUFFICIENT_STORAGE',
    });
  });

  it('reuses a measurement for two seconds, then measures again', async () => {
    const { b, calls, advance } = budget([1 * GB]);
    await b.admit();
    advance(1_000);
    await b.admit();
    expect(calls).toEqual([0]);
    advance(1_500);
    await b.admit();
    expect(calls).toEqual([0, 2_500]);
  });

  it('measures once for admissions that arrive together', async () => {
    const { b, calls } = budget([1 * GB]);
    await Promise.all([b.admit(), b.admit(), b.admit()]);
    expect(calls).toHaveLength(1);
  });

  it('refuses when the disk is nearly full, whatever the budget', async () => {
    const { b } = budget([1 * GB], 100e6, 0);
    await expect(b.admit()).rejects.toMatchObject({
      code: 'INSUFFICIENT_STORAGE',
      message: expect.stringContaining('100.0 MB free'),
    });
  });

  it('with budget 0 admits any size while the disk has room', async () => {
    const { b } = budget([900 * GB], 10 * GB, 0);
    await expect(b.admit()).resolves.toBeUndefined();
  });
});
