import { randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/local-stack.ts';
import { forcedGc } from '../../support/forced-gc.ts';
import { roundTrip } from '../../support/job-round-trip.ts';
import { startTestStack } from './local-stack-harness.ts';

/**
 * A long-running local stack does not keep what it has served: after a few hundred jobs
 * through the HTTP API (submit, poll, download), the heap and the buffers outside it, after a
 * full GC, are within a bound of what they were after the first few dozen. The bound is about
 * 25 kB a job: files held in memory (each job here stores ~200 kB of input and output) or an
 * object leaked per request would exceed it many times over. Not a timing test.
 */

const WARMUP_JOBS = 40;
const JOBS = 300;
const BOUND_BYTES = 8 * 1024 * 1024;

let stack: LocalStack;
const gc = forcedGc();

function retained(): number {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

beforeAll(async () => {
  stack = await startTestStack({ workers: 2 });
});

afterAll(async () => {
  await stack?.stop();
});

describe('local stack memory', () => {
  it(`retains no more after ${JOBS} jobs than after ${WARMUP_JOBS}, within ${BOUND_BYTES / 2 ** 20} MiB`, {
    timeout: 420_000,
  }, async () => {
    // Noise does not compress: every job stores its full weight.
    const file = new Uint8Array(
      await sharp(randomBytes(256 * 256 * 3), { raw: { width: 256, height: 256, channels: 3 } })
        .png()
        .toBuffer(),
    );
    const limit = pLimit(8);
    const run = (count: number, from: number) =>
      Promise.all(
        Array.from({ length: count }, (_, i) =>
          limit(() =>
            roundTrip({
              url: stack.url,
              apiKey: stack.apiKey,
              file,
              name: `heap-${from + i}.png`,
              type: 'image/png',
            }),
          ),
        ),
      );
    const first = await run(WARMUP_JOBS, 0);
    const warm = retained();
    const rest = await run(JOBS - WARMUP_JOBS, WARMUP_JOBS);
    const after = retained();

    const trips = [...first, ...rest];
    expect(trips.filter((t) => t.files !== 1)).toEqual([]);
    expect(new Set(trips.map((t) => t.uuid)).size).toBe(JOBS);
    // The jobs carried real bytes: what the bound is measured against.
    expect(file.byteLength + (trips[0]?.bytes ?? 0)).toBeGreaterThan(100_000);
    expect(after - warm).toBeLessThan(BOUND_BYTES);
  });
});
