import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerHandle } from '../../../containers/worker/start-worker.ts';
import type { WorkerRuntime } from '../../../containers/worker/worker-runtime.ts';
import type { ImageProcessor } from '../../../core/jobs/ports.ts';
import {
  harnessRuntime,
  inlinePng,
  queueDepth,
  samplePng,
  startImageWorker,
  startWorkerHarness,
  type WorkerHarness,
  waitFor,
} from './worker-harness.ts';

/**
 * The per-kind deadline from the worker's configuration reaches the processor: a file that
 * runs past it fails with DEADLINE_EXCEEDED and a reason naming the deadline, its lease is
 * cleared, and its message is acknowledged (no retry, nothing dead-lettered).
 */

let harness: WorkerHarness;
let runtime: WorkerRuntime;
let worker: WorkerHandle;
let aborted: unknown;

beforeAll(async () => {
  harness = await startWorkerHarness({ visibilityTimeoutSeconds: 4, maxReceiveCount: 2 });
  // Runs until told to stop, as a stuck pipeline would.
  const image: ImageProcessor = (_input, _options, ctx) =>
    new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => {
        aborted = ctx.signal.reason;
        reject(ctx.signal.reason);
      });
    });
  runtime = await harnessRuntime(harness, {
    leaseMs: 2_000,
    imageDeadlineMs: 1_500,
    videoDeadlineMs: 60_000,
    processors: { image },
  });
  worker = startImageWorker(harness, {
    heartbeatSeconds: 1,
    process: runtime.process,
    retryDelaySeconds: 1,
    drainMs: 2_000,
  });
});

afterAll(async () => {
  await worker?.stop();
  await runtime?.close();
  await harness?.stop();
});

describe('file deadline', () => {
  it('fails an image that outruns the image deadline, naming it, and acknowledges its message', async () => {
    const jobId = await harness.createImageJob([inlinePng('stuck.png', await samplePng(16, 16))]);
    const [file] = await waitFor(
      () => harness.files(jobId),
      (files) => files[0]?.status === 'failed',
      'the file to fail',
    );
    expect(file).toMatchObject({
      status: 'failed',
      error: 'stuck.png: did not finish within 1.5 s (the image deadline)',
      leaseUntil: 0,
      attempts: 1,
    });
    expect(aborted).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    await waitFor(
      async () => queueDepth(harness, 'cutout-image'),
      (n) => n === 0,
      'the message to be acknowledged',
    );
    expect(queueDepth(harness, 'cutout-image-dlq')).toBe(0);
    expect(await harness.outputKeys(jobId)).toEqual([]);
  });
});
