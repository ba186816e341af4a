import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../../../containers/worker/start-worker.ts';
import {
  createWorkerRuntime,
  type WorkerRuntime,
} from '../../../containers/worker/worker-runtime.ts';
import type { ImageProcessor } from '../../../core/jobs/ports.ts';
import {
  inlinePng,
  samplePng,
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
  runtime = await createWorkerRuntime({
    clients: harness.clients,
    jobsTable: harness.emulators.resources.jobsTable,
    inputBucket: harness.emulators.resources.inputBucket,
    outputBucket: harness.emulators.resources.outputBucket,
    models: harness.models,
    video: false,
    leaseMs: 2_000,
    imageDeadlineMs: 1_500,
    videoDeadlineMs: 60_000,
    processors: { image },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    env: process.env,
  });
  worker = startWorker({
    sqs: harness.clients.sqs,
    queues: [
      {
        kind: 'image',
        url: harness.emulators.resources.imageQueueUrl,
        concurrency: 1,
        visibilityTimeoutSeconds: 4,
        heartbeatSeconds: 1,
      },
    ],
    process: runtime.process,
    waitTimeSeconds: 1,
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
      async () => {
        const q = harness.emulators.fauxqs.inspectQueue('cutout-image');
        return (q?.messages.ready.length ?? 0) + (q?.messages.inflight.length ?? 0);
      },
      (n) => n === 0,
      'the message to be acknowledged',
    );
    const dlq = harness.emulators.fauxqs.inspectQueue('cutout-image-dlq');
    expect((dlq?.messages.ready.length ?? 0) + (dlq?.messages.inflight.length ?? 0)).toBe(0);
    expect(await harness.outputKeys(jobId)).toEqual([]);
  });
});
